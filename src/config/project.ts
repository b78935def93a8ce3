import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import type { ZodType, z } from "zod";
import { type Diagnostic, diagnosticLocation } from "../diagnostics.js";
import { fromFsError, invalidInput } from "../errors.js";
import type { ProjectFile } from "./project-schema.js";

export const PROJECT_FILE = "mserve.yaml";

export interface LoadedProject {
  file: string;
  /** Relative paths in the file are resolved from here. */
  dir: string;
  config: ProjectFile;
  /** Where each value is written: `targets.triton.backend` → line and column, for messages. */
  positions?: Record<string, { line: number; column: number }>;
}

/** Reads and validates a project file. Errors carry file:line:column for every problem. */
export async function loadProjectFile(file: string, schema: ZodType): Promise<LoadedProject> {
  const text = await readFile(file, "utf8").catch((error) =>
    Promise.reject(fromFsError(error, file, "project file")),
  );
  const config = parseProjectText(text, file, schema);
  return { file, dir: dirname(resolve(file)), config, positions: valuePositions(text) };
}

/** The position of every value in a (valid) project file, by dotted key path. */
function valuePositions(text: string): Record<string, { line: number; column: number }> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const positions: Record<string, { line: number; column: number }> = {};
  const walk = (node: unknown, path: string[]) => {
    if (!isMap(node)) return;
    for (const item of node.items) {
      if (!isScalar(item.key)) continue;
      const key = [...path, String(item.key.value)];
      const offset = (item.value as Node | null)?.range?.[0] ?? (item.key as Node).range?.[0];
      if (offset !== undefined) {
        const { line, col } = lineCounter.linePos(offset);
        positions[key.join(".")] = { line, column: col };
      }
      walk(item.value, key);
    }
  };
  walk(doc.contents, []);
  return positions;
}

export function parseProjectText(text: string, file: string, schema: ZodType): ProjectFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): { line?: number; col?: number } =>
    offset === undefined ? {} : lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    const diagnostics = doc.errors.map((e) => {
      const pos = at(e.pos[0]);
      return {
        severity: "error" as const,
        rule: "project-syntax",
        message: e.message.split("\n")[0] ?? e.message,
        file,
        line: pos.line,
        column: pos.col,
      };
    });
    throw projectError(file, diagnostics);
  }
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data as ProjectFile;
  const diagnostics = parsed.error.issues
    .flatMap((issue) => issueDiagnostics(issue, doc.contents, file, at))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  throw projectError(file, diagnostics);
}

function issueDiagnostics(
  issue: z.core.$ZodIssue,
  root: unknown,
  file: string,
  at: (offset: number | undefined) => { line?: number; col?: number },
): Diagnostic[] {
  const path = issue.path.map(String);
  const node = nodeAt(root, path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const pos = at(keyNode(node, key)?.range?.[0]);
      return {
        severity: "error" as const,
        rule: "project-unknown-key",
        message: `unknown key "${key}"`,
        file,
        line: pos.line,
        column: pos.col,
        path: [...path, key].join("."),
      };
    });
  }
  const pos = at((node as Node | undefined)?.range?.[0]);
  return [
    {
      severity: "error",
      rule: "project-value",
      message: issue.message,
      file,
      line: pos.line,
      column: pos.col,
      path: path.join("."),
    },
  ];
}

function nodeAt(root: unknown, path: string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isMap(node)) return node;
    node = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key)?.value;
  }
  return node;
}

function keyNode(map: unknown, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((item) => isScalar(item.key) && String(item.key.value) === key)?.key as
    | Node
    | undefined;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${diagnosticLocation(d)}${d.severity}: ${d.message}${d.path ? ` (${d.path})` : ""}`;
}

function projectError(file: string, diagnostics: Diagnostic[]) {
  const first = diagnostics[0];
  const summary = first ? formatDiagnostic(first) : `${file}: invalid project file`;
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "";
  return invalidInput(
    `invalid project file: ${summary}${more}`,
    "Check the key names against the mserve.yaml reference in the README; unknown keys are errors.",
    { diagnostics },
  );
}
