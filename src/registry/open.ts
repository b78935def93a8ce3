import { readFile } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { usageError } from "../errors.js";
import { mserveHome } from "../runtime/home.js";
import { FileRegistry } from "./file/backend.js";
import { actorName } from "./names.js";
import type { Registry } from "./types.js";

export type RegistryLocation = { backend: "file"; path: string } | { backend: "mlflow"; url: string };

/** zod loads only when $MSERVE_HOME/config.yaml exists: a predict by alias must not pay ~40 ms for it. */
const userConfigSchema = async () => {
  const { z } = await import("zod");
  return z
    .object({
      registry: z
        .union([
          z.strictObject({ backend: z.literal("file"), path: z.string().optional() }),
          z.strictObject({ backend: z.literal("mlflow"), url: z.string().url() }),
        ])
        .optional(),
    })
    .passthrough();
};

/** `mlflow+http://host:5000` (or https) selects MLflow; anything else is a folder. */
export function parseRegistryLocation(text: string, cwd: string): RegistryLocation {
  const mlflow = /^mlflow\+(https?:\/\/.+)$/.exec(text);
  if (mlflow) return { backend: "mlflow", url: (mlflow[1] as string).replace(/\/+$/, "") };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw usageError(
      `unsupported registry "${text}"`,
      "Use a folder for the embedded registry, or mlflow+http://host:5000 for an MLflow tracking server.",
    );
  }
  return { backend: "file", path: isAbsolute(text) ? text : resolve(cwd, text) };
}

/**
 * Where the registry is: --registry, then MSERVE_REGISTRY, then `registry:` in
 * $MSERVE_HOME/config.yaml, then the embedded folder $MSERVE_HOME/registry.
 */
export async function locateRegistry(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<RegistryLocation> {
  const given = flag ?? env.MSERVE_REGISTRY;
  if (given) return parseRegistryLocation(given, cwd);
  const configPath = join(mserveHome(env), "config.yaml");
  const text = await readFile(configPath, "utf8").catch(() => undefined);
  if (text !== undefined) {
    // yaml loads only when the file exists: predict must not pay for it on every call.
    const { parse: parseYaml } = await import("yaml");
    const parsed = (await userConfigSchema()).safeParse(parseYaml(text) ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw usageError(
        `${configPath}: registry: ${issue?.path.join(".")} ${issue?.message}`,
        "Example: registry: { backend: mlflow, url: http://127.0.0.1:5000 }",
      );
    }
    const registry = parsed.data.registry;
    if (registry?.backend === "mlflow") return { backend: "mlflow", url: registry.url.replace(/\/+$/, "") };
    if (registry?.backend === "file" && registry.path)
      return { backend: "file", path: resolve(mserveHome(env), registry.path) };
  }
  return { backend: "file", path: join(mserveHome(env), "registry") };
}

export interface OpenOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  flag?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  debug?: (line: string) => void;
}

export async function openRegistry(options: OpenOptions): Promise<Registry> {
  const location = await locateRegistry(options.flag, options.env, options.cwd);
  if (location.backend === "file") return new FileRegistry(location.path);
  const { MlflowRegistry } = await import("./mlflow/backend.js");
  return new MlflowRegistry({
    url: location.url,
    token: options.env.MLFLOW_TRACKING_TOKEN,
    cacheDir: join(mserveHome(options.env), "cache", "mlflow"),
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 30_000,
    debug: options.debug,
  });
}

export function currentActor(env: NodeJS.ProcessEnv): string {
  let user = env.USER ?? "unknown";
  try {
    user = userInfo().username;
  } catch {}
  return actorName(env, user, hostname());
}

/** Opens the registry the flags and environment select, runs `work`, and always closes it. */
export async function withRegistry<T>(
  options: OpenOptions,
  work: (registry: Registry) => Promise<T>,
): Promise<T> {
  const registry = await openRegistry(options);
  try {
    return await work(registry);
  } finally {
    await registry.close();
  }
}
