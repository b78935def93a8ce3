/**
 * MAR-INF/MANIFEST.json exactly as torch-model-archiver 0.12.0 writes it:
 * json.dumps(indent=2), ASCII-only, fixed key order, absent keys omitted, no
 * trailing newline (reference/torchserve.md §2.1).
 */

import { dateParts } from "../../archive/source-date.js";

export const ARCHIVER_VERSION = "0.12.0";
export const MANIFEST_PATH = "MAR-INF/MANIFEST.json";
export const RUNTIMES = ["python", "python3", "LSP"] as const;
export type Runtime = (typeof RUNTIMES)[number];

export interface MarManifest {
  createdOn: string;
  runtime: Runtime;
  model: {
    modelName: string;
    serializedFile?: string;
    handler: string;
    modelFile?: string;
    modelVersion: string;
    requirementsFile?: string;
    configFile?: string;
  };
  archiverVersion: string;
}

export interface ManifestInput {
  modelName: string;
  modelVersion: string;
  handler: string;
  runtime: Runtime;
  serializedFile?: string | undefined;
  modelFile?: string | undefined;
  requirementsFile?: string | undefined;
  configFile?: string | undefined;
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Python's datetime.now().strftime("%d/%m/%Y %H:%M:%S"), local time; in UTC for
 * a reproducible build (SOURCE_DATE_EPOCH), so the bytes do not depend on the zone.
 */
export function formatCreatedOn(date: Date, utc = false): string {
  const [year, month, day, h, m, s] = dateParts(date, utc);
  return `${pad(day)}/${pad(month + 1)}/${year} ${pad(h)}:${pad(m)}:${pad(s)}`;
}

export function buildManifest(input: ManifestInput, now: Date, utc = false): MarManifest {
  // Insertion order is the serialised key order; undefined keys vanish in JSON.stringify.
  return {
    createdOn: formatCreatedOn(now, utc),
    runtime: input.runtime,
    model: {
      modelName: input.modelName,
      serializedFile: input.serializedFile,
      handler: input.handler,
      modelFile: input.modelFile,
      modelVersion: input.modelVersion,
      requirementsFile: input.requirementsFile,
      configFile: input.configFile,
    },
    archiverVersion: ARCHIVER_VERSION,
  };
}

/** Python's json.dumps(obj, indent=2) with its default ensure_ascii=True. */
export function serializeManifest(manifest: MarManifest): string {
  return JSON.stringify(manifest, null, 2).replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
