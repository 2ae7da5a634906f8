import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { StepContext } from '../executor/executor.js';
import { createFileArea } from '../files/file-area.js';

/** Builds a {@link StepContext} for tests, with a fresh temporary file area unless one is given. */
export async function createTestStepContext(overrides: Partial<StepContext> = {}): Promise<StepContext> {
  const files = overrides.files ?? createFileArea(await mkdtemp(path.join(os.tmpdir(), 'vecron-step-')));
  await files.ensure();
  const executionId = overrides.executionId ?? 'exec-test';
  const stepId = overrides.stepId ?? 'step-test';
  return {
    executionId,
    jobId: 'job-test',
    stepId,
    attempt: 1,
    idempotencyKey: `${executionId}:${stepId}`,
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    variables: {},
    timeoutMs: undefined,
    ...overrides,
    files,
  };
}
