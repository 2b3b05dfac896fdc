/** Milliseconds → google.protobuf.Duration in proto3 JSON ("1s", "0.250s"). */
export function durationJson(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(3)}s`;
}

/** A 0..100 percentage → envoy.type.v3.FractionalPercent (HUNDRED when whole, else MILLION). */
export function fractionalPercent(percent: number): { numerator: number; denominator: 'HUNDRED' | 'MILLION' } {
  return Number.isInteger(percent) ? { numerator: percent, denominator: 'HUNDRED' } : { numerator: Math.round(percent * 10_000), denominator: 'MILLION' };
}
