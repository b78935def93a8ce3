import { usageError } from "../../errors.js";
import { decodeResponse } from "../../predict/decode.js";
import { readPredictInput } from "../../predict/input.js";
import type { Predictor, PredictorRequest } from "../target.js";
import { predictionPath } from "./client.js";
import type { Connection } from "./connect.js";
import { withWorkerCause } from "./worker-log.js";

/**
 * Predictions through TorchServe's inference API: the body goes to the handler
 * as it is (JSON parsed, text decoded, anything else as bytes), to
 * /predictions/NAME or /predictions/NAME/VERSION.
 */
export async function torchservePredictor(
  connection: Connection,
  request: PredictorRequest,
): Promise<Predictor> {
  const { client, tokens } = connection;
  const { name, version } = request;
  return {
    version,
    async encode(input) {
      if (input.inputs?.length)
        throw usageError(
          "-i/--input names tensors of v2 servers; TorchServe takes one body",
          "Use --data, --file or --json.",
        );
      const { body, contentType } = await readPredictInput(input, request.cwd);
      return { body, contentType };
    },
    async send(encoded, requestId, timeoutMs) {
      const answer = await client
        .predict({
          name,
          version,
          body: encoded.body,
          contentType: encoded.contentType,
          requestId,
          timeoutMs,
        })
        .catch(async (error: unknown) => {
          throw await withWorkerCause(error, {
            logFile: connection.record?.logFile,
            name,
            version,
            when: "predict",
          });
        });
      return {
        response: decodeResponse(answer.body, answer.contentType),
        httpStatus: answer.status,
        elapsedMs: answer.elapsedMs,
        ...(answer.serverRequestId ? { serverRequestId: answer.serverRequestId } : {}),
      };
    },
    async describe() {
      // Fails with NOT_FOUND for an unknown model or version, before any load is sent.
      const [model] = await client.describe(name, version);
      return { version: model?.modelVersion ?? version };
    },
    async endpoint() {
      return {
        origin: new URL(client.endpoint.inference).origin,
        path: predictionPath(name, version),
        headers: await tokens.headers("inference"),
      };
    },
  };
}
