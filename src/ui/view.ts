import { formatTable } from "./format.js";

/**
 * What a core module hands back for the text form of a result: data arranged for
 * reading, not yet text. Target adapters return it beside their JSON data, so
 * every command renders every server's answer the same way (renderView).
 */
export type ViewBlock =
  /** Free lines, printed as they are. */
  | { kind: "lines"; lines: string[] }
  /** A headline, then `  label  value` rows with the labels aligned. */
  | { kind: "fields"; title: string; fields: [string, string][] }
  | { kind: "table"; header: string[]; rows: string[][]; rightAlign?: number[] };

export interface View {
  blocks: ViewBlock[];
  /** The text form under --quiet (an id or a path a script can use). */
  quiet?: string;
}

export const lines = (...text: string[]): ViewBlock => ({ kind: "lines", lines: text });
export const fields = (title: string, rows: [string, string | undefined | false][]): ViewBlock => ({
  kind: "fields",
  title,
  fields: rows.filter((r): r is [string, string] => typeof r[1] === "string"),
});
export const table = (header: string[], rows: string[][], rightAlign?: number[]): ViewBlock => ({
  kind: "table",
  header,
  rows,
  ...(rightAlign ? { rightAlign } : {}),
});

function renderBlock(block: ViewBlock): string {
  switch (block.kind) {
    case "lines":
      return block.lines.join("\n");
    case "fields": {
      const width = Math.max(0, ...block.fields.map(([label]) => label.length));
      return [
        block.title,
        ...block.fields.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
      ].join("\n");
    }
    case "table":
      return formatTable(block.header, block.rows, block.rightAlign);
  }
}

/** Blocks separated by a blank line; under --quiet only the quiet form, when there is one. */
export function renderView(view: View, quiet = false): string {
  if (quiet && view.quiet !== undefined) return view.quiet;
  return view.blocks
    .map(renderBlock)
    .filter((text) => text !== "")
    .join("\n\n");
}
