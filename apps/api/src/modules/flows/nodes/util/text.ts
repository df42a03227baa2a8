/** How a looked-up value becomes text in a template: never evaluated, missing is empty, objects are JSON. */
export function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value) ?? '';
    } catch {
      // A cycle cannot come from stored JSON, but a value that cannot be shown is better empty than a crash.
      return '';
    }
  }
  return '';
}
