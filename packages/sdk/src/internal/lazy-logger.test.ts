import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyChild } from './lazy-logger.js';

function capture(level: string): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('lazyChild', () => {
  it('makes no child for calls at disabled levels, nor for a lazy child of it', async () => {
    const { logger, lines } = capture('info');
    const child = vi.spyOn(logger, 'child');
    const exec = lazyChild(logger, { executionId: 'e1' });
    const step = lazyChild(exec, { stepId: 's1' });
    exec.debug('hidden');
    step.trace({ x: 1 }, 'hidden');
    expect(step.isLevelEnabled('debug')).toBe(false);
    expect(step.isLevelEnabled('warn')).toBe(true);
    await flush();
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('writes enabled lines with the bindings of every level, as children made at once would', async () => {
    const { logger, lines } = capture('info');
    const exec = lazyChild(logger, { executionId: 'e1', jobId: 'j1' });
    const step = lazyChild(exec, { stepId: 's1', attempt: 2 });
    step.info({ k: 'v' }, 'step line');
    exec.warn('exec line');
    step.child({ extra: true }).error('grandchild line');
    await flush();
    const eager = capture('info');
    const eagerStep = eager.logger.child({ executionId: 'e1', jobId: 'j1' }).child({ stepId: 's1', attempt: 2 });
    eagerStep.info({ k: 'v' }, 'step line');
    eager.logger.child({ executionId: 'e1', jobId: 'j1' }).warn('exec line');
    eagerStep.child({ extra: true }).error('grandchild line');
    await flush();
    const strip = (l: Record<string, unknown>): Record<string, unknown> => ({ ...l, time: 0, pid: 0 });
    expect(lines.map(strip)).toEqual(eager.lines.map(strip));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ executionId: 'e1', jobId: 'j1', stepId: 's1', attempt: 2, k: 'v', msg: 'step line' });
  });

  it('makes the child once, then goes to it for everything', () => {
    const { logger } = capture('debug');
    const child = vi.spyOn(logger, 'child');
    const lazy = lazyChild(logger, { a: 1 });
    lazy.debug('one');
    lazy.info('two');
    expect(lazy.bindings()).toEqual({ a: 1 });
    lazy.level = 'error';
    expect(lazy.isLevelEnabled('warn')).toBe(false);
    expect(logger.level).toBe('debug');
    expect(child).toHaveBeenCalledTimes(1);
  });
});
