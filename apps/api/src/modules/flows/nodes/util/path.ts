/**
 * Reading a dotted path (`a.b.0.c`) out of data that tenants and outside callers control. Only own properties of
 * plain objects and arrays are followed, and the names that reach the prototype chain are refused outright, so a
 * path like `__proto__.polluted` or `constructor.constructor` can neither read nor reach a function.
 */

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Splits `a.b.c` into segments; empty segments (`a..b`, a trailing dot) make the path invalid. */
export function splitPath(path: string): string[] | undefined {
  const segments = path.trim().split('.');
  return segments.every((s) => s.length > 0) ? segments : undefined;
}

export function isSafeSegment(segment: string): boolean {
  return !FORBIDDEN_SEGMENTS.has(segment);
}

/** The value at `segments` under `root`, or undefined when any step is missing or not safe to follow. */
export function getPath(root: unknown, segments: readonly string[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (!isSafeSegment(segment)) return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isPlainObject(current)) {
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = current[segment];
    } else {
      return undefined;
    }
    if (typeof current === 'function') return undefined;
  }
  return current;
}

/** `getPath` for a dotted string; an invalid path reads as missing. */
export function getDottedPath(root: unknown, path: string): unknown {
  const segments = splitPath(path);
  return segments ? getPath(root, segments) : undefined;
}
