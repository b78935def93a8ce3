import type { CommandSpec } from "../options.js";
import { initSpec, inspectSpec, packageSpec, unpackSpec, validateSpec } from "./project.js";
import {
  feedbackSpec,
  registryGroupSpec,
  registryHistorySpec,
  registryListSpec,
  registryPushSpec,
  registryRmSpec,
  registryShowSpec,
  registryVerifySpec,
  releaseSpec,
  rollbackSpec,
} from "./registry.js";
import { completionSpec, doctorSpec, logsSpec, psSpec, serveSpec, setupSpec, stopSpec } from "./servers.js";
import {
  benchSpec,
  deploySpec,
  modelsSpec,
  predictSpec,
  registerSpec,
  scaleSpec,
  setDefaultSpec,
  unregisterSpec,
} from "./serving.js";

/** Every command, in the order of `mserve --help`. A name with a space is a subcommand of a group. */
export const COMMAND_SPECS: readonly CommandSpec[] = [
  initSpec,
  packageSpec,
  inspectSpec,
  validateSpec,
  unpackSpec,
  serveSpec,
  stopSpec,
  psSpec,
  logsSpec,
  deploySpec,
  modelsSpec,
  registerSpec,
  unregisterSpec,
  scaleSpec,
  setDefaultSpec,
  predictSpec,
  benchSpec,
  registryGroupSpec,
  registryPushSpec,
  registryListSpec,
  registryShowSpec,
  registryRmSpec,
  registryVerifySpec,
  registryHistorySpec,
  releaseSpec,
  rollbackSpec,
  feedbackSpec,
  setupSpec,
  doctorSpec,
  completionSpec,
];
