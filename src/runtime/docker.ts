import { MserveError } from "../errors.js";

/**
 * A thin driver for the docker CLI (not the Engine API): it honours the
 * user's contexts, DOCKER_HOST and credential helpers for free. `docker` is
 * looked up on the PATH of the env passed in.
 */

interface DockerResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function runDocker(args: string[], env: NodeJS.ProcessEnv): Promise<DockerResult> {
  // Loaded on use: `predict` reads run records (and so this module) but never runs docker.
  const { execa } = await import("execa");
  const result = await execa("docker", args, { env, reject: false, stdin: "ignore" });
  const code = (result as { code?: string }).code;
  if (code === "ENOENT") {
    throw new MserveError("NOT_FOUND", "docker CLI not found", {
      hint: "Install Docker (https://docs.docker.com/get-docker/), or use --runtime local.",
    });
  }
  if (result.exitCode === undefined) {
    throw new MserveError("INTERNAL", `could not run docker ${args[0]}: ${code ?? result.shortMessage}`);
  }
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const NO_SUCH_CONTAINER = /No such container/i;

/** docker CLI errors → exit codes; the daemon's wording has been stable for years. */
function dockerError(stderr: string, action: string): MserveError {
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i.test(stderr)) {
    return new MserveError("UNREACHABLE", `docker ${action}: the Docker daemon is not reachable`, {
      hint: "Start Docker (or use --runtime local).",
    });
  }
  if (/permission denied while trying to connect to the Docker daemon/i.test(stderr)) {
    return new MserveError("AUTH", `docker ${action}: permission denied on the Docker daemon socket`, {
      hint: "Add your user to the docker group (then log in again), or use --runtime local.",
    });
  }
  if (/port is already allocated|address already in use/i.test(stderr)) {
    const port = /:(\d+) failed: port is already allocated/.exec(stderr)?.[1];
    return new MserveError("CONFLICT", `docker ${action}: port ${port ?? "(published)"} is already in use`, {
      hint: "Choose other ports with --ports, or stop the other server (`mserve ps`, `docker ps`).",
    });
  }
  const name = /The container name "\/?([^"]+)" is already in use/.exec(stderr)?.[1];
  if (name) {
    return new MserveError("CONFLICT", `a container named ${name} already exists`, {
      hint: `Remove it with \`docker rm -f ${name}\`, or choose another --name.`,
    });
  }
  if (NO_SUCH_CONTAINER.test(stderr)) {
    return new MserveError("NOT_FOUND", `docker ${action}: ${lastLines(stderr)}`);
  }
  return new MserveError("SERVER_ERROR", `docker ${action} failed: ${lastLines(stderr)}`);
}

const lastLines = (text: string) => text.trim().split("\n").slice(-3).join(" ");

async function docker(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runDocker(args, env);
  if (result.exitCode !== 0) throw dockerError(result.stderr, args[0] ?? "");
  return result.stdout.trim();
}

/** Whether the CLI is installed and its daemon answers; `error` says why not. */
export async function dockerAvailable(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ available: true; serverVersion: string } | { available: false; error: MserveError }> {
  try {
    return {
      available: true,
      serverVersion: await docker(["version", "--format", "{{.Server.Version}}"], env),
    };
  } catch (error) {
    if (error instanceof MserveError) return { available: false, error };
    throw error;
  }
}

/** `docker run -d …` (argv starts with "run") → the container id. */
export async function dockerRun(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  // Without -d, `docker run` would block for the server's whole life.
  if (argv[0] !== "run" || !(argv.includes("-d") || argv.includes("--detach"))) {
    throw new Error(`dockerRun needs "run … -d …", got: ${argv.slice(0, 3).join(" ")}`);
  }
  // A pull prints progress to stderr; stdout ends with the id.
  const id = (await docker(argv, env)).split("\n").pop() ?? "";
  if (!/^[0-9a-f]{12,64}$/i.test(id)) {
    throw new MserveError("SERVER_ERROR", `docker run printed no container id (got ${JSON.stringify(id)})`);
  }
  return id;
}

/** Whether the container runs; a missing CLI, daemon or container all mean "no". */
export async function dockerRunning(id: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  try {
    return (await docker(["inspect", "-f", "{{.State.Running}}", id], env)) === "true";
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
    const result = await runDocker(args, env);
    if (result.exitCode !== 0 && !NO_SUCH_CONTAINER.test(result.stderr)) {
      throw dockerError(result.stderr, args[0] as string);
    }
  }
}

/** The argv for `docker logs`, run by the caller with its own stdout (`mserve logs`). */
export function dockerLogsArgv(id: string, { follow, tail }: { follow: boolean; tail: number }): string[] {
  return ["logs", "--tail", String(tail), ...(follow ? ["--follow"] : []), id];
}
