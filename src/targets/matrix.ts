import { TARGETS } from "./table.js";
import { VERBS } from "./target.js";

export const MATRIX_START =
  "<!-- verb-matrix:start (generated from src/targets/table.ts: npm run readme:matrix) -->";
export const MATRIX_END = "<!-- verb-matrix:end -->";

/** The verb × target table of the README, as TARGETS declares it: ✓ works, — exit 2 "not available for". */
export function verbMatrix(): string {
  const targets = Object.values(TARGETS);
  const header = `| verb | ${targets.map((t) => t.id).join(" | ")} |`;
  const rule = `|---|${targets.map(() => ":-:").join("|")}|`;
  const rows = VERBS.map(
    (verb) =>
      `| \`${verb}\` | ${targets.map((t) => ((t.capabilities as readonly string[]).includes(verb) ? "✓" : "—")).join(" | ")} |`,
  );
  return [header, rule, ...rows].join("\n");
}

/** README text with the table between its markers replaced by the current one. */
export function withMatrix(readme: string): string {
  const start = readme.indexOf(MATRIX_START);
  const end = readme.indexOf(MATRIX_END);
  if (start === -1 || end === -1) throw new Error("README has no verb-matrix markers");
  return `${readme.slice(0, start + MATRIX_START.length)}\n${verbMatrix()}\n${readme.slice(end)}`;
}
