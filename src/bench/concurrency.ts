/** `--concurrency 1,2,4,8`: distinct positive integers, in the order given. */
export function parseConcurrency(text: string): number[] | undefined {
  const values = text.split(",").map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((n) => !Number.isInteger(n) || n < 1 || n > 1024)) return undefined;
  return [...new Set(values)];
}
