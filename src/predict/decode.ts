/** A prediction's answer: JSON when it says or looks so, else text. */
export function decodeResponse(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString("utf8");
  if (contentType?.includes("json") || /^\s*[[{"]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {}
  }
  return text;
}
