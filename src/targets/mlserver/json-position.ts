class Stop {
  constructor(readonly at: number) {}
}

/**
 * The offset where a text stops being JSON, or -1 when it is JSON: a scan of
 * the grammar, because JSON.parse names a position for some mistakes only
 * ("Unexpected token '}'" has none), and validate promises line:column.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const stop = (): never => {
    throw new Stop(i);
  };
  const skipSpace = () => {
    while (i < text.length && " \t\n\r".includes(text.charAt(i))) i++;
  };
  const expect = (c: string) => {
    if (text.charAt(i) !== c) stop();
    i++;
  };
  const word = (w: string) => {
    if (!text.startsWith(w, i)) stop();
    i += w.length;
  };
  const string = () => {
    expect('"');
    while (i < text.length && text.charAt(i) !== '"') {
      if (text.charCodeAt(i) < 0x20) stop();
      i += text.charAt(i) === "\\" ? 2 : 1;
    }
    expect('"');
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) stop();
    i += m?.[0].length ?? 0;
  };
  const sequence = (close: string, item: () => void) => {
    i++;
    skipSpace();
    if (text.charAt(i) === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text.charAt(i) === close) {
        i++;
        return;
      }
      expect(",");
    }
  };
  const value = (): void => {
    skipSpace();
    const c = text.charAt(i);
    if (c === "{")
      sequence("}", () => {
        skipSpace();
        string();
        skipSpace();
        expect(":");
        value();
      });
    else if (c === "[") sequence("]", value);
    else if (c === '"') string();
    else if (c === "t") word("true");
    else if (c === "f") word("false");
    else if (c === "n") word("null");
    else number();
  };
  try {
    value();
    skipSpace();
    return i < text.length ? i : -1;
  } catch (error) {
    if (error instanceof Stop) return error.at;
    throw error;
  }
}
