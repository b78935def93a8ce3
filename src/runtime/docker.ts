import { MserveError } from "../errors.js";

/** docker CLI errors → exit codes; the daemon's wording is stable across versions. */
function dockerError(stderr: string, action: string): MserveError {
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i.test(stderr)) {
    return new MserveError("UNREACHABLE", `docker ${action}: the Docker daemon is not reachable`, {
      hint: "Start Docker (or use --runtime local).",
    });
  }
  if (/port is already allocated|address already in use/i.test(stderr)) {
    return new MserveError("CONFLICT", `docker ${action}: a published port is already in use`, {
      hint: "Choose other ports with --ports.",
    });
  }
  const name = /The container name "\/?([^"]+)" is already in use/.exec(stderr);
  if (name) {
    return new MserveError("CONFLICT", `a container named ${name[1]} already exists`, {
      hint: `Remove it with \`docker rm -f ${name[1]}\`, or choose another --name.`,
    });
  }
  return new MserveError(
    "SERVER_ERROR",
    `docker ${action} failed: ${stderr.trim().split("\n").slice(-3).join(" ")}`,
  );
}

async function docker(args: string[], env: NodeJS.ProcessEnv, action: string) {
  // Loaded on use: `predict` reads run records (and so this module) but never runs docker.
  const { execa } = await import("execa");
  const result = await execa("docker", args, { env, reject: false, stdin: "ignore" });
  if ((result as { code?: string }).code === "ENOENT" || (result.failed && result.exitCode === undefined)) {
    throw new MserveError("NOT_FOUND", "docker CLI not found", {
      hint: "Install Docker, or use --runtime local.",
    });
  }
  if (result.exitCode !== 0) throw dockerError(String(result.stderr), action);
  return String(result.stdout).trim();
}

/** `docker run -d …` → container id. */
export async function dockerRun(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const id = await docker(argv, env, "run");
  return id.split("\n").pop() ?? id;
}

export async function dockerRunning(id: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  try {
    return (await docker(["inspect", "-f", "{{.State.Running}}", id], env, "inspect")) === "true";
  } catch {
    return false;
  }
}

/** `docker stop -t N` then `docker rm`; a container that is already gone is fine. */
export async function dockerStop(
  id: string,
  { timeoutSec = 20, env = process.env }: { timeoutSec?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  for (const args of [
    ["stop", "-t", String(timeoutSec), id],
    ["rm", id],
  ]) {
    await docker(args, env, args[0] as string).catch((error: MserveError) => {
      if (!/No such container/i.test(error.message)) throw error;
    });
  }
}

export function dockerLogsArgv(id: string, { follow, tail }: { follow: boolean; tail: number }): string[] {
  return ["logs", "--tail", String(tail), ...(follow ? ["--follow"] : []), id];
}
