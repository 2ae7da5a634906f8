/** A plain JSON value, as step outputs must be. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Converts a value returned by a driver into plain JSON:
 * `Date` → ISO 8601 string (UTC; an invalid date → `null`), `bigint` → decimal string,
 * `Buffer`/`Uint8Array` → base64 string, non-finite numbers → `null`, `undefined` → `null`,
 * objects with `toJSON()` (e.g. decimal classes) → their JSON form, arrays and plain objects
 * converted member by member. Strings (including PostgreSQL `numeric`/`int8` and MySQL `DECIMAL`/
 * `BIGINT`, which the drivers are configured to return as strings) pass through unchanged.
 */
export function toJsonValue(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonValue);
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return toJsonValue(withJson.toJSON());
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v);
  return out;
}

/** Converts every column of a row (an object keyed by column name). */
export function toJsonRow(row: Record<string, unknown>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(row)) out[key] = toJsonValue(row[key]);
  return out;
}

/**
 * Prepares a JSON parameter for drivers that do not map objects themselves (mysql2, oracledb):
 * objects and arrays are sent as their JSON text, scalars unchanged.
 */
export function toBindValue(value: JsonValue): string | number | boolean | null {
  if (value === null || typeof value !== 'object') return value;
  return JSON.stringify(value);
}
