#!/usr/bin/env node
// Tiny launcher: everything lives in dist/cli.js so start-up stays cheap.
import { main } from "../dist/cli.js";

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
