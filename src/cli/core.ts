/**
 * The modules nearly every command runs through. Not imported by any source
 * file: the build (scripts/build.mjs) makes every lazily loaded module import
 * this one, so these land in one shared chunk instead of a dozen small ones.
 * Node's ES module loader costs ~0.35 ms per file at start-up, more than
 * parsing the code itself. Nothing listed here may import a package at load.
 */
import "../archive/source-date.js";
import "../archive/temp-paths.js";
import "../context.js";
import "../errors.js";
import "../files.js";
import "../lazy-builtins.js";
import "../version.js";
import "./options.js";
import "./parse.js";
import "./program.js";
import "./registry.js";
import "./target-session.js";
import "../config/duration.js";
import "../config/find-project.js";
import "../config/server-flags.js";
import "../model/names.js";
import "../model/ref.js";
import "../predict/target.js";
import "../registry/errors.js";
import "../registry/names.js";
import "../registry/resolve.js";
import "../runtime/home.js";
import "../runtime/records.js";
import "../targets/select.js";
import "../ui/format.js";
import "../ui/output.js";
import "../ui/progress.js";
import "../ui/view.js";
