import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CancelledError, StepTimeoutError } from '../errors/errors.js';
import { defineExecutor } from '../executor/executor.js';
import type { StepContext } from '../executor/executor.js';
import { createExecutorRegistry } from '../executor/registry.js';
import { createFileArea } from '../files/file-area.js';
import type { StepDefinition } from '../model/job-definition.js';
import { ExecutionAbort } from './execution-abort.js';
import { runStep } from './run-step.js';

type Body = (ctx: StepContext) => Promise<unknown>;

function setup(body: Body, step: Partial<StepDefinition> = {}): { run: (stop: ExecutionAbort) => Promise<unknown> } {
  const executors = createExecutorRegistry([defineExecutor({ type: 'probe', config: z.object({}).passthrough(), execute: (_c, ctx) => body(ctx) })]);
  const def = { id: 's1', type: 'probe', config: {}, ...step } as StepDefinition;
  const ids = { executionId: 'e1', jobId: 'j1', attempt: 1, files: createFileArea('/tmp/vecron-run-step-test'), variables: {}, logger: pino({ level: 'silent' }) };
  return { run: (stop) => runStep(executors, def, 0, { variables: {} } as never, stop, ids) };
}

describe('runStep signal', () => {
  it('a step that never reads ctx.signal still stops at the execution abort, with its reason', async () => {
    const stop = new ExecutionAbort();
    const { run } = setup(() => new Promise(() => undefined));
    const p = run(stop);
    const reason = new CancelledError('cancelled by request');
    stop.abort(reason);
    await expect(p).rejects.toBe(reason);
  });

  it('ctx.signal read before the abort aborts with it; read after, it is already aborted with the same reason', async () => {
    const stop = new ExecutionAbort();
    const seen: unknown[] = [];
    const { run } = setup(async (ctx) => {
      const early = ctx.signal;
      expect(early.aborted).toBe(false);
      early.addEventListener('abort', () => seen.push(['listener', early.reason]));
      await new Promise((r) => setTimeout(r, 20));
      seen.push(['late', ctx.signal.aborted, ctx.signal.reason, ctx.signal === early]);
      return new Promise(() => undefined);
    });
    const p = run(stop);
    const reason = new CancelledError('cancelled by request');
    stop.abort(reason);
    await expect(p).rejects.toBe(reason);
    await new Promise((r) => setTimeout(r, 40));
    expect(seen).toEqual([['listener', reason], ['late', true, reason, true]]);
  });

  it('an execution aborted before the step starts gives an already aborted signal', async () => {
    const stop = new ExecutionAbort();
    const reason = new CancelledError('cancelled by request');
    stop.abort(reason);
    let got: [boolean, unknown] | null = null;
    const { run } = setup(async (ctx) => {
      got = [ctx.signal.aborted, ctx.signal.reason];
      return new Promise(() => undefined);
    });
    await expect(run(stop)).rejects.toBe(reason);
    expect(got).toEqual([true, reason]);
  });

  it('the step timeout aborts ctx.signal with a StepTimeoutError and wins over a later execution abort', async () => {
    const stop = new ExecutionAbort();
    let signal: AbortSignal | null = null;
    const { run } = setup(async (ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    }, { timeout_seconds: 0.05 });
    const err = await run(stop).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepTimeoutError);
    stop.abort(new CancelledError('late'));
    expect(signal!.reason).toBe(err);
  });

  it('a step that returns is not aborted afterwards by the execution', async () => {
    const stop = new ExecutionAbort();
    let signal: AbortSignal | null = null;
    const { run } = setup(async (ctx) => {
      signal = ctx.signal;
      return { ok: true };
    });
    await expect(run(stop)).resolves.toEqual({ ok: true });
    stop.abort(new CancelledError('after'));
    expect(signal!.aborted).toBe(false);
  });
});
