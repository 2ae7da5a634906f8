import { rm } from 'node:fs/promises';
import type { AnyExecutor, StepContext } from '@vecron/sdk';
import { createTestStepContext } from '@vecron/sdk/testing';

/** Runs steps like the worker would: config validated by the executor's schema, then execute(). */
export interface StepRunner {
  run(executor: AnyExecutor, config: unknown, ctx?: Partial<StepContext>): Promise<unknown>;
  cleanup(): Promise<void>;
}

/** One temporary file area shared by a test file's steps (the http executor never touches it). */
export async function createStepRunner(): Promise<StepRunner> {
  const base = await createTestStepContext();
  return {
    async run(executor, config, ctx = {}) {
      const parsed: unknown = executor.config.parse(config);
      return executor.execute(parsed, await createTestStepContext({ files: base.files, ...ctx }));
    },
    cleanup: () => rm(base.files.root, { recursive: true, force: true }),
  };
}

/** The rejection of `p` (fails the test if it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<Error & { code?: string; retryable?: boolean; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string; retryable?: boolean };
  }
  throw new Error('expected a rejection, got a result');
}
