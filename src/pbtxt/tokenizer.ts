/** Tokens of the protobuf text format, each with its 1-based line and column. */
export type TokenKind = "identifier" | "number" | "string" | "symbol" | "eof";

export interface Token {
  kind: TokenKind;
  /** The source text; for strings, the decoded value (adjacent literals concatenated). */
  text: string;
  line: number;
  column: number;
  /** Strings only: the decoded bytes, since escapes may produce non-UTF-8 data. */
  bytes?: Buffer;
}

export class PbtxtError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${line}:${column}: ${message}`);
    this.name = "PbtxtError";
  }
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  "\\": 92,
  "'": 39,
  '"': 34,
  "?": 63,
};

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
// Decimal, hex and octal integers, and floats with optional exponent and f suffix.
const NUMBER = /(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fF]?)/y;

/** Splits text-format source into tokens; `#` comments and whitespace separate them. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (index: number) => ({ line, column: index - lineStart + 1 });
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\f" || ch === "\v") {
      i++;
      continue;
    }
    if (ch === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    const pos = at(i);
    if (ch === '"' || ch === "'") {
      const { bytes, end } = readString(source, i, pos.line, pos.column);
      const previous = tokens[tokens.length - 1];
      // Adjacent literals are one string: "model" ".onnx" is "model.onnx".
      if (previous?.kind === "string" && previous.bytes) {
        previous.bytes = Buffer.concat([previous.bytes, bytes]);
        previous.text = previous.bytes.toString("utf8");
      } else {
        tokens.push({ kind: "string", text: bytes.toString("utf8"), bytes, ...pos });
      }
      i = end;
      continue;
    }
    IDENT.lastIndex = i;
    const ident = IDENT.exec(source);
    if (ident) {
      tokens.push({ kind: "identifier", text: ident[0], ...pos });
      i += ident[0].length;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(source);
    if (number && /[0-9]/.test(number[0])) {
      let end = i + number[0].length;
      // "1abc" is one bad token, not a number then an identifier.
      IDENT.lastIndex = end;
      const glued = IDENT.exec(source);
      if (glued) end += glued[0].length;
      tokens.push({ kind: "number", text: source.slice(i, end), ...pos });
      i = end;
      continue;
    }
    if ("{}<>[]:,;-".includes(ch)) {
      tokens.push({ kind: "symbol", text: ch, ...pos });
      i++;
      continue;
    }
    throw new PbtxtError(`unexpected character ${JSON.stringify(ch)}`, pos.line, pos.column);
  }
  tokens.push({ kind: "eof", text: "", ...at(i) });
  return tokens;
}

function readString(
  source: string,
  start: number,
  line: number,
  column: number,
): { bytes: Buffer; end: number } {
  const quote = source[start] as string;
  // Most strings have no escapes: take them whole instead of byte by byte.
  const close = source.indexOf(quote, start + 1);
  if (close !== -1) {
    const body = source.slice(start + 1, close);
    if (!body.includes("\\") && !body.includes("\n"))
      return { bytes: Buffer.from(body, "utf8"), end: close + 1 };
  }
  const out: number[] = [];
  let i = start + 1;
  const fail = (message: string) => {
    throw new PbtxtError(message, line, column + (i - start));
  };
  while (i < source.length && source[i] !== quote) {
    const ch = source[i] as string;
    if (ch === "\n") fail("string literals cannot cross line boundaries");
    if (ch !== "\\") {
      const code = source.codePointAt(i) as number;
      out.push(...Buffer.from(String.fromCodePoint(code), "utf8"));
      i += code > 0xffff ? 2 : 1;
      continue;
    }
    const next = source[i + 1] ?? "";
    if (next in SIMPLE_ESCAPES) {
      out.push(SIMPLE_ESCAPES[next] as number);
      i += 2;
    } else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{1,3}/.exec(source.slice(i + 1, i + 4))?.[0] as string;
      out.push(Number.parseInt(digits, 8) & 0xff);
      i += 1 + digits.length;
    } else if (next === "x" || next === "X") {
      const digits = /^[0-9a-fA-F]{1,2}/.exec(source.slice(i + 2, i + 4))?.[0];
      if (!digits) fail("expected hex digits after \\x");
      out.push(Number.parseInt(digits as string, 16));
      i += 2 + (digits as string).length;
    } else if (next === "u" || next === "U") {
      const width = next === "u" ? 4 : 8;
      const digits = source.slice(i + 2, i + 2 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(digits))
        fail(`expected ${width} hex digits after \\${next}`);
      const code = Number.parseInt(digits, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        fail(`invalid code point \\${next}${digits}`);
      out.push(...Buffer.from(String.fromCodePoint(code), "utf8"));
      i += 2 + width;
    } else {
      fail(`invalid escape sequence \\${next}`);
    }
  }
  if (i >= source.length) fail("unterminated string");
  return { bytes: Buffer.from(out), end: i + 1 };
}
