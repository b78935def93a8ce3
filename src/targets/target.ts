import type { ZodType } from "zod";
import type { OptionMap } from "../cli/options.js";
import type { LoadedProject } from "../config/project.js";
import type { Diagnostic } from "../diagnostics.js";
import type { CheckResult, DoctorEnv } from "../doctor/types.js";
import type { ArtifactFormat, ArtifactKind, ModelVersion } from "../registry/types.js";
import type { GpuSelection } from "../runtime/gpus.js";
import type { LaunchPreview, ServerRecord } from "../runtime/types.js";
import type { RuntimeSpec } from "../setup/runtime-spec.js";
import type { View } from "../ui/view.js";

/**
 * The one interface every model server is reached through (design.md §2). A
 * command picks a target once (targets/select.ts), checks the verb is among its
 * capabilities, loads the adapter and calls it; adapters return data and a View,
 * and never print or exit. Adding a server is a folder with a descriptor and an
 * adapter, plus one line in targets/table.ts.
 */

export const VERBS = [
  "init",
  "package",
  "validate",
  "serve",
  "deploy",
  "models",
  "register",
  "scale",
  "set-default",
  "unregister",
  "predict",
  "bench",
  "release",
  "doctor",
] as const;
export type Verb = (typeof VERBS)[number];

/** Flags a target reads: `connect` ones go on every command that talks to a server. */
export type TargetOptions = Partial<Record<Verb | "connect", OptionMap>>;

/** What is known about a target without loading its code: cheap enough for start-up and --help. */
export interface TargetDescriptor {
  id: string;
  /** "TorchServe", for messages. */
  title: string;
  capabilities: readonly Verb[];
  options: TargetOptions;
  /** The server keeps labels of its own (TF Serving's version_labels): an alias the registry lacks goes to it. */
  serverLabels?: boolean;
  /** Why a verb is missing, and what to do instead; shown with the exit-2 refusal. */
  unavailable?: Partial<Record<Verb, string>>;
  /** The Python runtime `mserve setup <id>` installs for it. */
  runtime?: RuntimeSpec;
  /** For help texts: `serve --ports` order ("http,grpc,metrics"), and what `--url` points at ("Triton HTTP (:8000)"). */
  help?: { ports?: string; url?: string };
  /** `mserve init --template` names this target scaffolds, and the one used when none is given. */
  templates?: { names: readonly string[]; default: string };
  /** Its `targets.<id>` section of mserve.yaml (unknown keys are errors). */
  projectSection?: () => Promise<ZodType>;
  load(): Promise<Target>;
}

/** The flags bag every adapter receives: the command's parsed options, its own among them. */
export type Flags = Readonly<Record<string, unknown>>;

export interface TargetConnection {
  target: string;
  /** "torchserve (local)", or the URL: for messages. */
  label: string;
  record?: ServerRecord;
  close(): Promise<void>;
}

export interface ConnectContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The command's budget: no request outlives it. */
  timeoutMs: number;
  signal: AbortSignal;
  onDebug?: (line: string) => void;
}

/** Callbacks a command hands to long work, so progress shows while the adapter stays silent. */
export interface Hooks {
  step(message: string): void;
  /** Starts a byte counter for a long write; returns what to call per chunk. */
  bytes(label: string, total: number): Promise<(n: number) => void>;
  warn(message: string): void;
  /** Resolves when the user agreed (or --yes); rejects otherwise. */
  confirm(question: string): Promise<void>;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A result: data for `-o json`, a View for text, and the line a finished spinner shows. */
export interface Outcome<T = unknown> {
  data: T;
  view: View;
  summary?: string;
}

export interface ModelRef {
  name: string;
  version?: string;
}

export interface InitRequest {
  /** Absolute folder to create the project in. */
  dir: string;
  /** One of the descriptor's template names. */
  template: string;
  name?: string;
}

/** What `init` would write; the command writes it (all or nothing, --force to overwrite). */
export interface InitPlan {
  dir: string;
  template: string;
  modelName: string;
  files: Array<{ path: string; content: string; exists: boolean }>;
}

export interface PackageRequest {
  project?: LoadedProject;
  options: Flags;
  dryRun: boolean;
}

export interface PackageOutcome extends Outcome {
  warnings?: string[];
  /**
   * What the registry can hold (`package --register`): a file or a folder, which
   * this target's `artifact.describe` turns into what is stored. One that does not
   * name itself (not a TorchServe archive) comes with its name and version.
   */
  artifact?: { path: string; name?: string; version?: string };
}

/** A file or folder offered to the registry (`registry push`, `package --register`). */
export interface ArtifactRequest {
  /** Absolute. */
  path: string;
  isDirectory: boolean;
  /** --name / --version, or what `package` knows; a target that reads them from the artifact checks they agree. */
  name?: string;
  version?: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** What the registry stores for a version, as the target that can load it describes it. */
export interface RegistryArtifact {
  /** The file stored: the input itself, or a deterministic archive built from a folder (removed by `cleanup`). */
  path: string;
  name: string;
  version: string;
  kind: ArtifactKind;
  format: ArtifactFormat;
  sha256: string;
  size: number;
  /** Content digest (archive/content-digest.ts): what deploys and pushes compare. */
  digest: string;
  cleanup(): Promise<void>;
}

/**
 * A target's artifacts in the registry: which files and folders are its own,
 * and how they are stored. The registry itself knows no server's format.
 */
export interface ArtifactHooks {
  /** Whether `path` is this target's kind of artifact (by name and a quick look inside). */
  detect(request: ArtifactRequest): Promise<boolean>;
  /** Checks it as the server would and describes what is stored; refuses (exit 3) what would not load. */
  describe(request: ArtifactRequest): Promise<RegistryArtifact>;
}

export interface ValidationReport {
  path: string;
  kind: string;
  valid: boolean;
  diagnostics: Diagnostic[];
  [key: string]: unknown;
}

export interface Validator {
  /** Whether `path` (relative to `cwd`) is this target's kind of artifact; a catch-all validator is asked last. */
  detect(path: string, cwd: string): Promise<boolean>;
  catchAll?: boolean;
  /** `env` finds what the check depends on beyond the file (MLServer: the server's installed runtimes). */
  validate(path: string, cwd: string, options: Flags, env: NodeJS.ProcessEnv): Promise<ValidationReport>;
  /** What to do about errors, printed as the hint. */
  fix: string;
  /** `mserve inspect`: what the artifact holds, read without extracting it. */
  inspect?(path: string, cwd: string): Promise<Outcome>;
}

export interface ServeRequest {
  name: string;
  runtime: "local" | "docker";
  ports?: string;
  image?: string;
  /** The folder the server loads models from (--model-store, or the target's own flag). */
  modelStore?: string;
  wait: boolean;
  timeoutMs: number;
  /** The GPUs the server may use (--gpus, or all where nvidia-smi lists some), chosen once by the command. */
  gpus: GpuSelection;
  options: Flags;
  onDebug?: (line: string) => void;
}

/** Plan, then apply: --dry-run renders `preview`, `start` launches exactly that plan. */
export interface ServePlan {
  preview: Outcome<LaunchPreview>;
  start(hooks: Hooks): Promise<Outcome<ServerRecord> & { notes?: string[] }>;
}

export interface ServeAdapter {
  /** Name of the server record when --name is not given. */
  defaultName: string;
  plan(request: ServeRequest, hooks: Hooks, dryRun: boolean): Promise<ServePlan>;
}

export type DeploySource =
  | { kind: "path"; path: string }
  | { kind: "registry"; path: string; model: ModelVersion; alias?: string }
  | { kind: "project"; project?: LoadedProject };

export interface DeployRequest {
  source: DeploySource;
  options: Flags;
  timeoutMs: number;
}

export interface ModelsRequest {
  ref?: ModelRef;
  options: Flags;
}

export interface VersionRequest {
  ref: ModelRef;
  options: Flags;
  timeoutMs: number;
}

/** One input as the user gave it: flags of predict, or a line of a batch file. */
export interface PredictInput {
  data?: string;
  file?: string;
  json?: string;
  inputs?: string[];
  contentType?: string;
}

export interface EncodedRequest {
  body: Buffer;
  contentType: string;
  /** The adapter's own form of the request (e.g. named tensors), when it sends more than the body. */
  payload?: unknown;
}

/** One output tensor of an answer: flat row-major data with its shape. */
export interface PredictTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

export interface PredictAnswer {
  response: unknown;
  /** Output tensors, for servers that answer with them (v2): printed as arrays of their shape. */
  tensors?: PredictTensor[];
  /** Files the outputs were written to (--save). */
  files?: string[];
  httpStatus: number;
  elapsedMs: number;
  /** The version that answered, when the server says. */
  version?: string;
  serverRequestId?: string;
}

/** Where a load generator sends its encoded requests. */
export interface Endpoint {
  origin: string;
  path: string;
  headers: Record<string, string>;
}

export interface Predictor {
  encode(input: PredictInput): Promise<EncodedRequest>;
  send(request: EncodedRequest, requestId: string, timeoutMs: number): Promise<PredictAnswer>;
  endpoint(): Promise<Endpoint>;
  /** Asks the server about the model without predicting: NOT_FOUND when it lacks it; the version it serves. */
  describe(): Promise<{ version?: string }>;
  /** The version the server will answer with, when it can be known before sending. */
  version?: string;
}

export interface PredictorRequest {
  name: string;
  version?: string;
  /** A label the server keeps itself (TF Serving's version_labels), when the registry does not know it. */
  serverLabel?: string;
  options: Flags;
  cwd: string;
}

/**
 * What a server holds for a version: nothing, or what it was placed from. The
 * digest is a content digest, or a prefix of one (at least 12 hex digits), or,
 * for archives deployed before digests, of the archive's sha256; absent when
 * mserve cannot tell (placed by other means), which never counts as a match.
 */
export type Held = { present: false } | { present: true; digest?: string; from?: string };

/** A registry version to put on the server: its artifact (sha256 already checked) and what it is. */
export interface PlaceRequest {
  archive: string;
  model: ModelVersion;
  /** Swap out a different artifact under the same version (`deploy --replace`). */
  replace: boolean;
  timeoutMs: number;
}

export interface ReleaseRequest {
  name: string;
  version: string;
  alias: string;
  options: Flags;
  cwd: string;
}

/**
 * An adapter implements what its descriptor's capabilities promise. `C` is its
 * own connection; method parameters are checked by each adapter for its own flags.
 */
export interface Target<C extends TargetConnection = TargetConnection> {
  id: string;
  connect?(options: Flags, ctx: ConnectContext): Promise<C>;
  /** `mserve init`: a project scaffold from one of the descriptor's templates. */
  init?(request: InitRequest): Promise<InitPlan>;
  package?(request: PackageRequest, hooks: Hooks): Promise<PackageOutcome>;
  validator?: Validator;
  serve?: ServeAdapter;
  deploy?(connection: C, request: DeployRequest, hooks: Hooks): Promise<Outcome>;
  models?(connection: C, request: ModelsRequest): Promise<Outcome>;
  register?(
    connection: C,
    request: { url: string; options: Flags; timeoutMs: number },
    hooks: Hooks,
  ): Promise<Outcome>;
  scale?(connection: C, request: VersionRequest, hooks: Hooks): Promise<Outcome>;
  setDefault?(connection: C, request: VersionRequest): Promise<Outcome>;
  unregister?(connection: C, request: VersionRequest, hooks: Hooks): Promise<Outcome>;
  predictor?(connection: C, request: PredictorRequest): Promise<Predictor>;
  /** The registry's view of this target's artifacts (registry push, package --register). */
  artifact?: ArtifactHooks;
  /** What the server holds for a version, so predict, deploy, models and bench answer from exactly the released artifact. */
  held?(connection: C, ref: { name: string; version: string }): Promise<Held>;
  /**
   * Puts a registry version on the server and waits until it answers: the
   * sidecar step of predict (design.md §7, release/exact.ts) and deploy NAME@ALIAS.
   */
  place?(connection: C, request: PlaceRequest, hooks: Hooks): Promise<Outcome>;
  /**
   * A release the server keeps itself (TF Serving's version labels). `undo` puts
   * it back: `release` moves the server's label and the registry's alias together,
   * and undoes the label when the registry step fails.
   */
  release?(request: ReleaseRequest): Promise<Outcome & { undo?: () => Promise<void> }>;
  doctor?(d: DoctorEnv): Promise<CheckResult[]>;
}
