import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Execution } from '../model/execution.js';
import { executionFilesDir } from './file-area.js';
import { recordedFiles } from './recorded-files.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

const jobId = '00000000-0000-4000-8000-00000000000a';
const executionId = '00000000-0000-4000-8000-00000000000b';
const execution = (steps: Record<string, unknown>): Execution => ({ id: executionId, jobId, context: { steps } } as unknown as Execution);

describe('recordedFiles', () => {
  it('lists only regular files inside the execution\'s own area that its step outputs name', async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'vecron-rf-'));
    dirs.push(base);
    const root = executionFilesDir(base, jobId, executionId);
    await fs.mkdir(path.join(root, 'out'), { recursive: true });
    await fs.writeFile(path.join(root, 'out', 'report.csv'), 'a,b\n1,2\n');
    await fs.writeFile(path.join(root, 'dump.csv'), 'x\n');
    const outside = path.join(base, 'secret.txt');
    await fs.writeFile(outside, 'not yours');
    await fs.symlink(outside, path.join(root, 'link.txt'));
    // Another execution's area, reached by a path that names it.
    const other = executionFilesDir(base, jobId, '00000000-0000-4000-8000-00000000000c');
    await fs.mkdir(other, { recursive: true });
    await fs.writeFile(path.join(other, 'x.csv'), 'x');
    const files = await recordedFiles(base, execution({
      write: { status: 'succeeded', output: { files: [{ path: path.join(root, 'out', 'report.csv'), filename: 'report.csv' }, { path: path.join(root, 'out', 'report.csv') }] } },
      export: { status: 'succeeded', output: { file: { path: path.join(root, 'dump.csv') } } },
      sneaky: { status: 'succeeded', output: { files: [{ path: '/etc/passwd' }, { path: outside }, { path: path.join(root, 'link.txt') }, { path: path.join(root, '..', '00000000-0000-4000-8000-00000000000c', 'x.csv') }, { path: path.join(root, 'out', '..', '..', 'x') }] } },
      gone: { status: 'succeeded', output: { files: [{ path: path.join(root, 'deleted.csv') }, { path: 'out/report.csv' }, { path: path.join(root, 'out') }] } },
      plain: { status: 'succeeded', output: { value: 1 } },
    }));
    expect(files.map((f) => [f.name, f.stepId, f.size])).toEqual([['out/report.csv', 'write', 8], ['dump.csv', 'export', 2]]);
    expect(files[0]!.path).toBe(await fs.realpath(path.join(root, 'out', 'report.csv')));
  });

  it('is empty when the execution has no area', async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'vecron-rf-'));
    dirs.push(base);
    expect(await recordedFiles(base, execution({ s: { status: 'succeeded', output: { files: [{ path: '/etc/passwd' }] } } }))).toEqual([]);
  });
});
