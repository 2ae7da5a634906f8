import { describe, expect, it } from 'vitest';
import { eventually, until } from './poll.js';

describe('until / eventually', () => {
  it('until returns the first truthy value, and times out naming what it waited for', async () => {
    let n = 0;
    expect(await until(() => (++n >= 3 ? { n } : null), { intervalMs: 1 })).toEqual({ n: 3 });
    await expect(until(() => false, { timeoutMs: 30, intervalMs: 5, what: 'the moon' })).rejects.toThrow('timed out after 30 ms waiting for the moon');
    await expect(until(() => { throw new Error('exited'); })).rejects.toThrow('exited');
  });

  it('eventually retries an assertion and rethrows its last error', async () => {
    let n = 0;
    await eventually(() => expect(++n).toBe(3), { intervalMs: 1 });
    expect(n).toBe(3);
    await expect(eventually(() => expect(1).toBe(2), { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(/expected 1 to be 2/);
  });
});
