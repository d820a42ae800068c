/** Bytes for people: 468 MB, 1.2 GB (decimal units, two significant digits below 100). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let value = bytes;
  let unit = 0;
  while (value >= 999.5 && unit < units.length - 1) {
    // 999.6 MB reads as 1.0 GB, not "1000 MB"
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toPrecision(2)} ${units[unit]}`;
}
