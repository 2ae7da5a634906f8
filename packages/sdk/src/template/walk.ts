/** Internal helpers to visit the strings of a JSON value. */

/** True for objects the template walker descends into (plain objects, not Date, Buffer, Map…). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Calls `visit` for every string in `value`, depth first, with its path (keys and indexes). */
export function forEachString(
  value: unknown,
  visit: (text: string, path: ReadonlyArray<string | number>) => void,
  path: Array<string | number> = [],
): void {
  if (typeof value === 'string') {
    visit(value, path);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      forEachString(value[i], visit, path);
      path.pop();
    }
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      path.push(key);
      forEachString(value[key], visit, path);
      path.pop();
    }
  }
}
