import { describe, expect, it } from 'vitest';
import { groupCommit, perItem } from './group-commit.js';

/** A fake operation that records the batches it saw; `gate` holds batches until released. */
function recorder(opts: { failOn?: number; maxBatch?: number; maxInFlight?: number } = {}) {
  const batches: number[][] = [];
  const singles: number[] = [];
  let release: () => void = () => undefined;
  let gate: Promise<void> | null = null;
  const hold = (): void => {
    gate = new Promise<void>((r) => (release = r));
  };
  const op = groupCommit<number, number>({
    key: (n) => String(n),
    single: async (n) => {
      singles.push(n);
      if (gate) await gate;
      if (n === opts.failOn) throw new Error(`bad ${n}`);
      return n * 10;
    },
    many: async (items) => {
      batches.push(items);
      if (gate) await gate;
      if (opts.failOn !== undefined && items.includes(opts.failOn)) throw new Error('batch failed');
      return items.map((n) => n * 10);
    },
    ...(opts.maxBatch ? { maxBatch: opts.maxBatch } : {}),
    ...(opts.maxInFlight ? { maxInFlight: opts.maxInFlight } : {}),
  });
  return { op, batches, singles, hold, release: () => release(), unhold: () => (gate = null) };
}

describe('groupCommit', () => {
  it('runs a lone call on its own (no batch statement, no waiting for company)', async () => {
    const r = recorder();
    expect(await r.op(1)).toBe(10);
    expect(await r.op(2)).toBe(20);
    expect(r.singles).toEqual([1, 2]);
    expect(r.batches).toEqual([]);
  });

  it('calls made while the in-flight slots are busy go out together, each caller getting its own result', async () => {
    const r = recorder({ maxInFlight: 1 });
    r.hold();
    const first = r.op(0); // occupies the only slot
    await new Promise((res) => setImmediate(res));
    const rest = [1, 2, 3, 4, 5].map((n) => r.op(n));
    r.unhold();
    r.release();
    expect(await first).toBe(0);
    expect(await Promise.all(rest)).toEqual([10, 20, 30, 40, 50]);
    expect(r.singles).toEqual([0]);
    expect(r.batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('never puts two items with the same key in one batch, and caps the batch size', async () => {
    const r = recorder({ maxInFlight: 1, maxBatch: 3 });
    r.hold();
    const first = r.op(0);
    await new Promise((res) => setImmediate(res));
    const rest = [1, 1, 2, 3, 4, 2].map((n) => r.op(n));
    r.unhold();
    r.release();
    await first;
    expect(await Promise.all(rest)).toEqual([10, 10, 20, 30, 40, 20]);
    for (const b of r.batches) {
      expect(new Set(b).size).toBe(b.length);
      expect(b.length).toBeLessThanOrEqual(3);
    }
    expect([...r.batches.flat(), ...r.singles.slice(1)].sort()).toEqual([1, 1, 2, 2, 3, 4]);
  });

  it('a failing batch is retried item by item, so only the bad item fails', async () => {
    const r = recorder({ maxInFlight: 1, failOn: 3 });
    r.hold();
    const first = r.op(0);
    await new Promise((res) => setImmediate(res));
    const rest = [1, 2, 3, 4].map((n) => r.op(n).then((v) => ({ v }), (e: Error) => ({ e: e.message })));
    r.unhold();
    r.release();
    await first;
    expect(await Promise.all(rest)).toEqual([{ v: 10 }, { v: 20 }, { e: 'bad 3' }, { v: 40 }]);
    expect(r.batches).toEqual([[1, 2, 3, 4]]);
    expect(r.singles.slice(1).sort()).toEqual([1, 2, 3, 4]);
  });

  it('a single that throws synchronously rejects its caller only', async () => {
    const op = groupCommit<number, number>({
      key: String,
      single: (n) => {
        if (n === 2) throw new Error('sync 2');
        return Promise.resolve(n);
      },
      many: async () => {
        throw new Error('batch');
      },
    });
    const results = await Promise.all([1, 2, 3].map((n) => op(n).then((v) => ({ v }), (e: Error) => ({ e: e.message }))));
    expect(results).toEqual([{ v: 1 }, { e: 'sync 2' }, { v: 3 }]);
  });

  it('keeps no more than maxInFlight batches running', async () => {
    let running = 0;
    let peak = 0;
    const op = groupCommit<number, number>({
      key: String,
      maxInFlight: 2,
      maxBatch: 4,
      single: async (n) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((res) => setTimeout(res, 2));
        running--;
        return n;
      },
      many: async (items) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((res) => setTimeout(res, 2));
        running--;
        return items;
      },
    });
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => op(i)));
    expect(all).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(peak).toBeLessThanOrEqual(2);
  });
});

describe('perItem', () => {
  /** A batched statement that records the batches it ran. */
  const statement = () => {
    const batches: number[][] = [];
    const many = async (items: number[]): Promise<number[]> => {
      batches.push(items);
      await new Promise((res) => setImmediate(res));
      return items.map((n) => n * 10);
    };
    return { batches, many };
  };

  it('without group commit runs the batched statement with one item per call', async () => {
    const { batches, many } = statement();
    const op = perItem(false, many, String);
    expect(await Promise.all([1, 2, 3].map(op))).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1], [2], [3]]);
  });

  it('with group commit runs a lone call as a batch of one, and calls that wait for a busy slot as one batch', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const op = perItem({ maxInFlight: 1 }, async (items: number[]) => {
      batches.push(items);
      await gate;
      return items.map((n) => n * 10);
    }, String);
    const first = op(1); // alone: occupies the only slot
    await new Promise((res) => setImmediate(res));
    const rest = [2, 3, 4].map(op);
    release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });
});
