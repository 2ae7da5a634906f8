import { randomFillSync } from 'node:crypto';
/**
 * Job and execution ids are UUIDs (vecron makes job ids with `randomUUID()`, execution ids with `uuidV7()`). An id of another shape
 * names nothing: callers answer "not found" for it instead of sending it to the database, where a
 * uuid column would refuse it with a driver error (PostgreSQL 22P02).
 */
export const isUuid = (id: unknown): id is string =>
  typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

const RANDOM_POOL = Buffer.alloc(16 * 512);
let poolUsed = RANDOM_POOL.length;

/**
 * A time-ordered UUID (version 7, RFC 9562): 48 bits of Unix milliseconds, then random bits. New
 * execution rows then go to the right edge of the primary key index instead of a random page of
 * it: fewer pages touched and written per insert as the table grows.
 */
export function uuidV7(nowMs: number = Date.now()): string {
  if (poolUsed === RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    poolUsed = 0;
  }
  const b = RANDOM_POOL.subarray(poolUsed, poolUsed + 16);
  poolUsed += 16;
  b.writeUIntBE(nowMs, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
