import * as hdr from "hdr-histogram-js";

/** Latency percentiles in milliseconds, from a histogram of every request (not averages of averages). */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * An HDR histogram in microseconds: 3 significant digits (±0.1%) from 1 µs to
 * one hour, in constant memory however many requests are recorded.
 */
export class LatencyHistogram {
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });

  recordMs(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.h.totalCount;
  }

  summary(): LatencySummary {
    // A percentile is reported as its bucket's upper edge; never let it pass the true maximum.
    const at = (p: number) =>
      this.count === 0 ? 0 : Math.min(this.h.getValueAtPercentile(p), this.h.maxValue) / 1000;
    return {
      count: this.count,
      min: this.count === 0 ? 0 : this.h.minNonZeroValue / 1000,
      mean: this.count === 0 ? 0 : this.h.mean / 1000,
      p50: at(50),
      p90: at(90),
      p95: at(95),
      p99: at(99),
      max: this.count === 0 ? 0 : this.h.maxValue / 1000,
    };
  }
}
