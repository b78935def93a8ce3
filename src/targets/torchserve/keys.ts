import { readFile } from "node:fs/promises";
import { MserveError } from "../../errors.js";
import type { TorchServeKeyFile } from "./schemas.js";

/** The two APIs that check keys; the metrics port is exempt (reference §7.1). */
export type KeyedApi = "management" | "inference";

export type KeyFile = TorchServeKeyFile;

/**
 * Supplies Authorization headers from the key_file.json TorchServe writes in its
 * working folder. The file is re-read after every refresh because TorchServe
 * rewrites it in place; keys never leave this module except as header values.
 */
export interface TokenSource {
  headers(api: KeyedApi): Promise<Record<string, string>>;
  /** Forget cached keys so the next call re-reads the file (after TorchServe rotated them). */
  invalidate(): void;
  /** The API key, used only for `/token?type=…` refresh calls. */
  apiKeyHeader(): Promise<Record<string, string>>;
  readonly enabled: boolean;
}

export const noTokens: TokenSource = {
  enabled: false,
  headers: async () => ({}),
  invalidate: () => {},
  apiKeyHeader: async () => ({}),
};

export async function readKeyFile(path: string): Promise<KeyFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MserveError(
      "AUTH",
      code === "ENOENT"
        ? `token authorization is on but the key file ${path} does not exist`
        : `cannot read the key file ${path} (${code})`,
      {
        hint: "TorchServe writes key_file.json in the folder it was started from. Point --key-file at it, or start the server with --disable-token-auth.",
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  // Read once per command; the schema library loads only here, not for every request.
  const { keyFileSchema } = await import("./schemas.js");
  const result = keyFileSchema.safeParse(parsed);
  if (!result.success) {
    throw new MserveError("AUTH", `the key file ${path} is not a TorchServe key_file.json`, {
      hint: "Expected {management:{key}, inference:{key}, API:{key}} as written by TorchServe 0.11.1+.",
    });
  }
  return result.data;
}

export function keyFileTokens(path: string): TokenSource {
  let cached: Promise<KeyFile> | undefined;
  const keys = () => {
    cached ??= readKeyFile(path).catch((error) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
  return {
    enabled: true,
    async headers(api) {
      return { authorization: `Bearer ${(await keys())[api].key}` };
    },
    invalidate() {
      cached = undefined;
    },
    async apiKeyHeader() {
      return { authorization: `Bearer ${(await keys()).API.key}` };
    },
  };
}
