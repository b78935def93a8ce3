import type { Dispatcher } from "undici";

/** Thrown by readCapped; the client turns it into a SERVER_ERROR naming the server. */
export class BodyTooLarge extends Error {}

/**
 * Reads a whole response body, refusing more than `capBytes`: these APIs answer with
 * small JSON, and a runaway answer must not fill the memory of the CLI.
 */
export async function readCapped(
  response: Dispatcher.ResponseData,
  capBytes: number,
  expectBody: boolean,
): Promise<Buffer> {
  const declared = Number(response.headers["content-length"]);
  if (expectBody && Number.isFinite(declared) && declared > capBytes) {
    // Fail before downloading anything; destroying the body also drops the socket.
    response.body.destroy();
    throw new BodyTooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > capBytes) {
      response.body.destroy();
      throw new BodyTooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}
