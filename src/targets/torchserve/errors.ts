import { type ErrorCode, MserveError } from "../../errors.js";
import { codeForStatus } from "../../http/status.js";
import type { HttpResponse } from "../../http/types.js";

export interface TorchServeErrorBody {
  code?: number;
  type?: string;
  message: string;
}

/**
 * TorchServe answers every error with {code, type, message}; anything else is
 * shown as text. Checked by hand: errors are on the predict path, which does
 * not load the schema library (schemas.ts keeps the documented shape).
 */
export function errorBody(response: HttpResponse): TorchServeErrorBody {
  const body = response.json() as Partial<Record<"code" | "type" | "message", unknown>> | undefined;
  if (
    body &&
    Number.isInteger(body.code) &&
    typeof body.type === "string" &&
    typeof body.message === "string"
  )
    return { code: body.code as number, type: body.type, message: body.message };
  const text = response.text().trim();
  return { message: text ? text.slice(0, 500) : `HTTP ${response.status}` };
}

/** TorchServe reports a missing, wrong and expired key alike as 400 InvalidKeyException. */
export function isInvalidKey(response: HttpResponse): boolean {
  return response.status === 400 && errorBody(response).type === "InvalidKeyException";
}

export interface Call {
  /** "register intent 2", "describe intent" … for messages. */
  action: string;
  api: "management" | "inference";
}

const hints: Record<number, string | undefined> = {
  405: "The model API is disabled on this server (TorchServe's default). Restart it with `mserve serve` (which enables it), `torchserve --enable-model-api`, or enable_model_api=true in config.properties.",
  409: "That version is already registered. Deploy a new version, or unregister it first (`mserve unregister NAME:VERSION`).",
  413: "The request is larger than max_request_size (6553500 bytes by default); raise max_request_size in config.properties.",
  503: "No worker can take the request. Check `mserve models NAME` and add workers with `mserve scale NAME --min 1`.",
  507: "The server ran out of memory. Use fewer workers or a smaller batch size.",
};

/** The common mapping, where TorchServe documents other meanings for a status. */
function codeFor(status: number, type: string | undefined): ErrorCode {
  // A missing, wrong or expired key is 400 InvalidKeyException, not 401.
  if (status === 400 && type === "InvalidKeyException") return "AUTH";
  // 403 InvalidModelVersionException: removing the default version while others exist.
  if (status === 403 && type === "InvalidModelVersionException") return "CONFLICT";
  return codeForStatus(status);
}

/** Maps a TorchServe error response to the exit code and hint a user needs. */
export function torchServeError(response: HttpResponse, call: Call): MserveError {
  const body = errorBody(response);
  const code = codeFor(response.status, body.type);
  let hint = hints[response.status];
  if (code === "AUTH") {
    hint =
      "The key was rejected even after re-reading key_file.json. Check --key-file points at the key file of this server, or use a server started with --disable-token-auth.";
  } else if (response.status === 404 && body.type === "ResourceNotFoundException") {
    hint = `No such route on the ${call.api} API: is the URL pointing at the right port (inference 8080, management 8081)?`;
  } else if (response.status === 404) {
    hint = "List what the server has with `mserve models`.";
  } else if (response.status === 500 && /Failed to start workers/i.test(body.message)) {
    hint =
      "The handler failed while loading the model; its Python traceback is in the server log (`mserve logs`, or model_log.log).";
  } else if (code === "CONFLICT" && response.status === 403) {
    hint =
      "Make another version the default first (`mserve set-default NAME VERSION`), or unregister the other versions.";
  }
  return new MserveError(code, `${call.action} failed: ${body.message} (HTTP ${response.status})`, {
    hint,
    details: { status: response.status, type: body.type, serverMessage: body.message },
  });
}
