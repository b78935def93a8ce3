/** A server mserve started, as recorded under $MSERVE_HOME/run/<name>.json. */
export interface ServerRecord {
  name: string;
  /** Target id (targets/table.ts). */
  target: string;
  runtime: "local" | "docker";
  /** Local: pid of the process-group leader. */
  pid?: number;
  /** Docker: container id. */
  containerId?: string;
  /** Base URLs, e.g. { inference: "http://127.0.0.1:8080", management: "…:8081", metrics: "…:8082" }. */
  urls: Record<string, string>;
  /** All ports the server binds, by role. */
  ports: Record<string, number>;
  /** Folder holding config, logs, temp and (for TorchServe) key_file.json. */
  workDir: string;
  logFile: string;
  configFile: string;
  /** Host folder the server loads archives from. */
  modelStore: string;
  tokenAuth: boolean;
  /** Host path of the key file written by the server when tokenAuth is on. */
  keyFile?: string;
  /** The GPUs it was started with: "none", "all" or nvidia-smi indexes ("0,1"); absent in older records. */
  gpus?: string;
  /** The argv that started it (docker run … or torchserve …), for `ps` and debugging. */
  command: string[];
  startedAt: string;
}

export type ServerState = "running" | "exited";

/** What `serve --dry-run` shows about a launch, the same for every target. */
export interface LaunchPreview {
  dryRun: true;
  runtime: "local" | "docker";
  command: string[];
  cwd: string;
  env: Record<string, string>;
  files: { path: string; content: string }[];
  urls: Record<string, string>;
  /** The GPU choice and why it was made (also a comment line of the text form). */
  gpus?: { choice: string; source: "flag" | "default"; note: string };
}
