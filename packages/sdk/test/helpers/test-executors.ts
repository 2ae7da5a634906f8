import { z } from 'zod';
import { defineExecutor, NonRetryableError, TransientError } from '@vecron/sdk';
import type { StepContext } from '@vecron/sdk';

/** Records every call so tests can count side effects per (execution, step, attempt). */
export interface CallLog {
  calls: Array<{ executionId: string; stepId: string; attempt: number; config: unknown; at: number }>;
}

export function createCallLog(): CallLog {
  return { calls: [] };
}

/** `echo`: returns its config as output (after template substitution). */
export function echoExecutor(log: CallLog = createCallLog()) {
  return defineExecutor({
    type: 'echo',
    config: z.object({ value: z.unknown().optional() }).passthrough(),
    async execute(config, ctx: StepContext) {
      log.calls.push({ executionId: ctx.executionId, stepId: ctx.stepId, attempt: ctx.attempt, config, at: Date.now() });
      return { value: config.value };
    },
  });
}

/** `sleep`: waits `ms` honouring the signal; `ignore_signal` simulates a badly behaved plugin. */
export function sleepExecutor(log: CallLog = createCallLog(), hooks: { onStart?: (ctx: StepContext) => void } = {}) {
  return defineExecutor({
    type: 'sleep',
    config: z.object({ ms: z.number().int().min(0), ignore_signal: z.boolean().default(false) }),
    async execute(config, ctx) {
      log.calls.push({ executionId: ctx.executionId, stepId: ctx.stepId, attempt: ctx.attempt, config, at: Date.now() });
      hooks.onStart?.(ctx);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, config.ms);
        if (!config.ignore_signal) {
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(ctx.signal.reason);
          }, { once: true });
        }
      });
      return { slept: config.ms, aborted: ctx.signal.aborted };
    },
  });
}

/** `flaky`: fails while `faults.failing` is true (retryable unless `permanent`). */
export function flakyExecutor(faults: { failing: boolean; permanent?: boolean }, log: CallLog = createCallLog()) {
  return defineExecutor({
    type: 'flaky',
    config: z.object({}).passthrough(),
    async execute(config, ctx) {
      log.calls.push({ executionId: ctx.executionId, stepId: ctx.stepId, attempt: ctx.attempt, config, at: Date.now() });
      if (faults.failing) {
        if (faults.permanent) throw new NonRetryableError(`permanent fault with config ${JSON.stringify(config)}`);
        throw new TransientError('transient fault');
      }
      return { ok: true };
    },
  });
}

/** State of a {@link blockingExecutor}: how many runs are in flight, the peak, and the gates to open. */
export interface BlockingState {
  running: number;
  peak: number;
  aborted: number;
  order: string[];
  gates: Array<() => void>;
  /** Lets every run waiting now finish. */
  release(): void;
}

/** `block`: each run waits until the test releases it (or its signal aborts), recording concurrency. */
export function blockingExecutor() {
  const state: BlockingState = {
    running: 0, peak: 0, aborted: 0, order: [], gates: [],
    release() {
      state.gates.splice(0).forEach((g) => g());
    },
  };
  const executor = defineExecutor({
    type: 'block',
    config: z.object({}),
    async execute(_c, ctx) {
      state.running++;
      state.peak = Math.max(state.peak, state.running);
      state.order.push(`start ${ctx.executionId}`);
      try {
        await new Promise<void>((resolve, reject) => {
          state.gates.push(resolve);
          ctx.signal.addEventListener('abort', () => {
            state.aborted++;
            reject(ctx.signal.reason);
          }, { once: true });
        });
        state.order.push(`end ${ctx.executionId}`);
        return {};
      } finally {
        state.running--;
      }
    },
  });
  return { executor, state };
}
