import type { PredictTensor } from "../targets/target.js";

/** Digits a human needs to tell values apart, per datatype (-o json and --save keep them all). */
const DIGITS: Record<string, number> = { FP16: 4, BF16: 3, FP32: 8 };

/** Like NumPy: past this many elements, each long dimension shows its first and last 3 entries. */
const SUMMARY_THRESHOLD = 1000;
const EDGE = 3;

function scalar(value: unknown, datatype: string): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (
    typeof value === "number" &&
    DIGITS[datatype] &&
    Number.isFinite(value) &&
    (!Number.isInteger(value) || Math.abs(value) >= 1e16)
  )
    return String(Number(value.toPrecision(DIGITS[datatype])));
  return String(value);
}

/**
 * A tensor as nested arrays of its shape, one innermost row per line:
 *   [[1, 2, 3],
 *    [4, 5, 6]]
 */
export function formatTensor(tensor: PredictTensor): string {
  const { shape, data, datatype } = tensor;
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 0 || count !== data.length)
    return `[${data.map((v) => scalar(v, datatype)).join(", ")}]`;
  const summarize = count > SUMMARY_THRESHOLD;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const indices = (size: number) =>
    summarize && size > 2 * EDGE
      ? [
          ...Array.from({ length: EDGE }, (_, i) => i),
          -1,
          ...Array.from({ length: EDGE }, (_, i) => size - EDGE + i),
        ]
      : Array.from({ length: size }, (_, i) => i);
  const render = (offset: number, depth: number): string => {
    const size = shape[depth] as number;
    if (depth === shape.length - 1) {
      const items = indices(size).map((i) => (i < 0 ? "..." : scalar(data[offset + i], datatype)));
      return `[${items.join(", ")}]`;
    }
    const pad = " ".repeat(depth + 1);
    const rows = indices(size).map((i) =>
      i < 0 ? "..." : render(offset + i * (strides[depth] as number), depth + 1),
    );
    const separator = `,${"\n".repeat(shape.length - depth - 1)}${pad}`;
    return `[${rows.join(separator)}]`;
  };
  return render(0, 0);
}

export function formatTensors(tensors: PredictTensor[], files?: string[]): string {
  const blocks = tensors.map(
    (t) => `${t.name} (${t.datatype}, shape [${t.shape.join(", ")}])\n${formatTensor(t)}`,
  );
  if (files?.length) blocks.push(`saved: ${files.join(", ")}`);
  return blocks.join("\n\n");
}
