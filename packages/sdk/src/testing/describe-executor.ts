import { describe, expect, it } from 'vitest';
import type { AnyExecutor, StepContext } from '../executor/executor.js';
import { createTestStepContext } from './step-context.js';

/** What a plugin hands to {@link describeExecutor}. */
export interface ExecutorConformanceOptions {
  /** Creates a fresh executor (called once per test). */
  create: () => AnyExecutor | Promise<AnyExecutor>;
  /** The step `type` the executor must declare. */
  type: string;
  /** A config (after template substitution) that runs successfully against the real peer. */
  validConfig: () => unknown | Promise<unknown>;
  /** Configs the schema must reject, each with a field name its error must mention. */
  invalidConfigs: Array<{ config: unknown; mentions: string }>;
  /** A config whose execution takes long enough to be aborted mid-flight (≥ 1 s against the peer). */
  slowConfig?: () => unknown | Promise<unknown>;
  /** Extra fields for the step context (variables, …). */
  context?: Partial<StepContext>;
}

/**
 * The conformance suite every executor plugin runs: declared type and schema, a real run
 * whose output is plain JSON, schema rejections that name the field, a pre-aborted signal
 * refused without side effects, an abort mid-flight honoured promptly, and an idempotent close().
 */
export function describeExecutor(name: string, options: ExecutorConformanceOptions): void {
  describe(`executor conformance: ${name}`, () => {
    it('declares its type and a zod config schema', async () => {
      const ex = await options.create();
      expect(ex.type).toBe(options.type);
      expect(typeof ex.config.safeParse).toBe('function');
      await ex.close?.();
    });

    it('runs a valid config and returns JSON-serialisable output', async () => {
      const ex = await options.create();
      try {
        const config = ex.config.parse(await options.validConfig());
        const out = await ex.execute(config, await createTestStepContext(options.context));
        expect(JSON.parse(JSON.stringify(out))).toEqual(out);
      } finally {
        await ex.close?.();
      }
    });

    it.each(options.invalidConfigs.map((c, i) => [i, c] as const))('rejects invalid config #%i naming the field', async (_i, c) => {
      const ex = await options.create();
      const result = ex.config.safeParse(c.config);
      expect(result.success).toBe(false);
      const paths = result.error!.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('\n');
      expect(paths).toContain(c.mentions);
      await ex.close?.();
    });

    it('refuses to start when the signal is already aborted', async () => {
      const ex = await options.create();
      try {
        const ac = new AbortController();
        ac.abort(new Error('pre-aborted'));
        const config = ex.config.parse(await options.validConfig());
        await expect(ex.execute(config, await createTestStepContext({ ...options.context, signal: ac.signal }))).rejects.toThrow();
      } finally {
        await ex.close?.();
      }
    });

    if (options.slowConfig) {
      it('stops promptly when the signal aborts mid-flight', async () => {
        const ex = await options.create();
        try {
          const ac = new AbortController();
          const config = ex.config.parse(await options.slowConfig!());
          const started = Date.now();
          setTimeout(() => ac.abort(new Error('abort mid-flight')), 200).unref();
          await expect(ex.execute(config, await createTestStepContext({ ...options.context, signal: ac.signal }))).rejects.toThrow();
          // Generous bound: the point is "did not run to completion", not speed.
          expect(Date.now() - started).toBeLessThan(5_000);
        } finally {
          await ex.close?.();
        }
      });
    }

    it('close() can be called twice', async () => {
      const ex = await options.create();
      await ex.close?.();
      await ex.close?.();
    });
  });
}
