import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileArea } from '@vecron/sdk';
import type { StepContext } from '@vecron/sdk';
import { createTestStepContext } from '@vecron/sdk/testing';
import { afterEach } from 'vitest';
import { fileExecutor } from '../src/index.js';
import type { FileExecutorOptions, FileReadOutput, FileWriteOutput } from '../src/index.js';

/** The Vietnamese rows every round trip uses. */
export const VN_ROWS = [
  { name: 'Nguyễn Thị Minh Khai', city: 'Hà Nội', product: 'Tiền gửi tiết kiệm', amount: '150000000.50' },
  { name: 'Trần Văn Đức', city: 'Đà Nẵng', product: 'Vay tiêu dùng', amount: '2500000' },
  { name: 'Lê Hoàng Yến, "Yến"', city: 'Hồ Chí Minh', product: 'Tiền gửi tiết kiệm', amount: '999' },
];

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh temp folder used as the execution's file area, removed after the test. */
export async function tempArea(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vecron-file-test-'));
  dirs.push(dir);
  return dir;
}

/** Runs one step; validates the config through the schema first, like the worker does. */
export async function run(dir: string, config: unknown, options?: FileExecutorOptions, ctx: Partial<StepContext> = {}): Promise<FileReadOutput & FileWriteOutput> {
  const ex = fileExecutor(options);
  const parsed = ex.config.parse(config);
  const out = await ex.execute(parsed, await createTestStepContext({ ...ctx, files: createFileArea(dir) }));
  return out as FileReadOutput & FileWriteOutput;
}

/** Awaits a rejection and returns the error. */
export async function failure(p: Promise<unknown>): Promise<Error & { code?: string; retryable?: boolean; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the step to fail');
}
