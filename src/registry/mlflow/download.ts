import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { MserveError } from "../../errors.js";
import { networkError } from "../../http/errors.js";
import type { ModelVersion } from "../types.js";
import type { MlflowApi } from "./api.js";
import { mlflowError } from "./api.js";

/** A readable stream of an artifact at `uri`: through MLflow's proxy, or a folder this machine sees. */
async function openArtifact(
  api: MlflowApi,
  baseUrl: string,
  uri: string,
  signal?: AbortSignal,
): Promise<Readable> {
  if (uri.startsWith("mlflow-artifacts:")) {
    const path = uri.replace(/^mlflow-artifacts:(\/\/[^/]*)?/, "").replace(/^\/+/, "");
    const url = `${baseUrl}/api/2.0/mlflow-artifacts/artifacts/${path.split("/").map(encodeURIComponent).join("/")}`;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method: "GET",
        headers: api.headers,
        signal,
        headersTimeout: api.options.timeoutMs,
      });
    } catch (error) {
      throw networkError(error, {
        what: "MLflow artifact store",
        url,
        budgetMs: api.options.timeoutMs,
        connectTimeoutMs: 5_000,
        secrets: api.options.token ? [api.options.token] : [],
      });
    }
    if (response.statusCode >= 300) {
      const text = await response.body.text().catch(() => "");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {}
      throw mlflowError("artifact download", response.statusCode, body, baseUrl, api.options.token);
    }
    return response.body;
  }
  const path = uri.startsWith("file:") ? fileURLToPath(uri) : uri;
  if (!isAbsolute(path)) {
    throw new MserveError("INVALID_INPUT", `mserve cannot fetch the artifact ${uri}`, {
      hint: "Artifacts pushed by mserve live in MLflow's artifact store (mlflow-artifacts:/…).",
    });
  }
  await stat(path).catch(() => {
    throw new MserveError("INVALID_INPUT", `artifact ${path} is missing`, {
      hint: "Run `mserve registry verify`.",
    });
  });
  return createReadStream(path);
}

export async function hashRemote(api: MlflowApi, baseUrl: string, uri: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(await openArtifact(api, baseUrl, uri), hash);
  return hash.digest("hex");
}

const EXT: Record<string, string> = { mar: ".mar", tgz: ".tar.gz", zip: ".zip", file: "" };

/**
 * Downloads once into the cache, named by hash; a copy that does not hash to the
 * registry's sha256 is never kept (exit 3), so a corrupt artifact never reaches a server.
 */
export async function downloadArtifact(
  api: MlflowApi,
  baseUrl: string,
  version: ModelVersion,
  cacheDir: string,
  signal?: AbortSignal,
): Promise<string> {
  const target = join(cacheDir, `${version.artifact.sha256}${EXT[version.format] ?? ""}`);
  if (
    await stat(target).then(
      (s) => s.isFile(),
      () => false,
    )
  )
    return target;
  await mkdir(cacheDir, { recursive: true });
  const temp = `${target}.part-${randomBytes(4).toString("hex")}`;
  const hash = createHash("sha256");
  try {
    await pipeline(
      await openArtifact(api, baseUrl, version.artifact.uri, signal),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(temp),
      { signal },
    );
    const actual = hash.digest("hex");
    if (actual !== version.artifact.sha256) {
      throw new MserveError(
        "INVALID_INPUT",
        `the artifact of ${version.name}:${version.version} is corrupt: sha256 ${actual.slice(0, 12)}…, the registry recorded ${version.artifact.sha256.slice(0, 12)}…`,
        { hint: "Nothing was registered. Run `mserve registry verify`, then push it again." },
      );
    }
    await rename(temp, target);
    return target;
  } finally {
    await rm(temp, { force: true });
  }
}
