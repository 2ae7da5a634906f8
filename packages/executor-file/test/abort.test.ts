import { createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { StepTimeoutError } from '@vecron/sdk';
import { describe, expect, it } from 'vitest';
import { failure, run, tempArea } from './helpers.js';

async function bigCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('id,name,city,amount\n');
  for (let i = 0; i < rows; i++) if (!out.write(`${i},Nguyễn Thị Minh Khai,Hà Nội,${i}.50\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'close');
}

describe('abort', () => {
  it.each(['out.csv', 'out.xlsx'])('stops a transform to %s mid-flight with the signal reason and leaves no partial file', async (dest) => {
    const dir = await tempArea();
    await bigCsv(path.join(dir, 'big.csv'), 400_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new StepTimeoutError('step-test', 300)), 300).unref();
    const started = Date.now();
    const err = await failure(run(dir, { operation: 'transform', source_path: 'big.csv', destination_path: `sub/${dest}` }, undefined, { signal: ac.signal }));
    expect(err).toBeInstanceOf(StepTimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await readdir(path.join(dir, 'sub'))).toEqual([]);
  });

  it('stops a read mid-flight', async () => {
    const dir = await tempArea();
    await bigCsv(path.join(dir, 'big.csv'), 400_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('cancelled by test')), 200).unref();
    const err = await failure(run(dir, { operation: 'read', source_path: 'big.csv', options: { streaming: true } }, undefined, { signal: ac.signal }));
    expect(err.message).toBe('cancelled by test');
  });

  it('does nothing when the signal is already aborted', async () => {
    const dir = await tempArea();
    const ac = new AbortController();
    ac.abort();
    const err = await failure(run(dir, { operation: 'write', destination_path: 'x.csv', data_source: [{ a: 1 }] }, undefined, { signal: ac.signal }));
    expect(err).toBe(ac.signal.reason);
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves an existing destination untouched when a write fails half-way', async () => {
    const dir = await tempArea();
    await run(dir, { operation: 'write', destination_path: 'keep.csv', data_source: [{ n: '1' }] });
    const rows = Array.from({ length: 5_000 }, (_, k) => ({ n: k === 4_000 ? 'bad' : String(k) }));
    const err = await failure(run(dir, { operation: 'write', destination_path: 'keep.csv', data_source: rows, options: { transformations: [{ type: 'type_conversion', column: 'n', target_type: 'integer' }] } }));
    expect(err.message).toContain('row 4001');
    expect((await run(dir, { operation: 'read', source_path: 'keep.csv' })).data).toEqual([{ n: '1' }]);
    expect(await readdir(dir)).toEqual(['keep.csv']);
  });
});
