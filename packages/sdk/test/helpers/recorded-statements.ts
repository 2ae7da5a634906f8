import type pg from 'pg';

/**
 * The text of every message sent on each connection `pool` opens from now on (a statement, or
 * several sent as one simple-protocol message), in order: what a test counts round trips by.
 */
export function recordStatements(pool: pg.Pool): string[] {
  const sent: string[] = [];
  pool.on('connect', (c) => {
    const query = c.query.bind(c) as (...a: unknown[]) => unknown;
    c.query = ((...a: unknown[]) => (sent.push(typeof a[0] === 'string' ? a[0] : String((a[0] as { text: string }).text)), query(...a))) as typeof c.query;
  });
  return sent;
}
