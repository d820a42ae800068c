/** Numbers as the reports' sentences and tables print them. */

/** A ratio as a percentage a sentence can carry: "85%", "0.41%", "1.2e-9%". */
export function share(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (x >= 0.1) return `${Math.round(x * 100)}%`;
  if (x >= 1e-4) return `${(x * 100).toPrecision(2)}%`;
  return `${(x * 100).toExponential(1)}%`;
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(2) : x.toPrecision(3);
}
