import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/port.js';
import { runRetentionPass } from './retention-pass.js';

const JOB = '00000000-0000-4000-8000-000000000001';
const EXEC = '00000000-0000-4000-8000-0000000000e1';
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

/** A storage that deletes one execution once and no ledger rows. */
function oneExecution(): Storage {
  let left = [{ id: EXEC, jobId: JOB }];
  return {
    listJobs: async () => [],
    purgeExecutions: async () => {
      const executions = left;
      left = [];
      return { count: executions.length, executions };
    },
    purgeLedger: async () => 0,
  } as unknown as Storage;
}

describe('retention pass', () => {
  it('a folder it cannot remove is logged and retried at the next pass, never fatal', async () => {
    const filesDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vecron-pass-'));
    dirs.push(filesDir);
    const dir = path.join(filesDir, 'jobs', JOB, 'executions', EXEC);
    await fs.mkdir(dir, { recursive: true });
    const failedFolders = new Map<string, { jobId: string; executionId: string }>();
    const warnings: unknown[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
    let fail = true;
    const removeDir = async (d: string): Promise<void> => {
      if (fail) throw Object.assign(new Error('EBUSY: resource busy'), { code: 'EBUSY' });
      await fs.rm(d, { recursive: true, force: true });
    };
    const deps = { storage: oneExecution(), filesDir, logger, failedFolders, removeDir };
    const options = { rules: { maxAgeDays: 1 }, jobRules: true, dryRun: false, batchSize: 10, pauseMs: 0, now: new Date() };

    expect(await runRetentionPass(deps, options)).toEqual({ executions: 1, ledger: 0, files: 0 });
    expect([...failedFolders.keys()]).toEqual([EXEC]);
    expect(warnings).toEqual([expect.objectContaining({ jobId: JOB, executionId: EXEC, dir, msg: expect.stringContaining('retrying at the next retention pass') })]);
    expect(await fs.stat(dir)).toBeTruthy();

    fail = false;
    expect(await runRetentionPass(deps, options)).toEqual({ executions: 0, ledger: 0, files: 1 });
    expect(failedFolders.size).toBe(0);
    await expect(fs.stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
