import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServerEvent } from './event-hub.js';
import { createExecutionOrder } from './execution-order.js';

const ev = (type: string, execution_id?: string): ServerEvent => ({ type, at: '2026-01-01T00:00:00.000Z', ...(execution_id ? { execution_id } : {}) });

describe('createExecutionOrder', () => {
  afterEach(() => vi.useRealTimers());

  it('holds an execution’s events until its created event, then delivers in lifecycle order', () => {
    const out: string[] = [];
    const o = createExecutionOrder((e) => out.push(`${e.type}:${e.execution_id ?? '-'}`));
    o.push(ev('execution.started', 'a'));
    o.push(ev('execution.step.finished', 'a'));
    o.push(ev('job.updated'));
    o.push(ev('execution.created', 'b'));
    expect(out).toEqual(['job.updated:-', 'execution.created:b']);
    o.push(ev('execution.created', 'a'));
    o.push(ev('execution.finished', 'a'));
    expect(out).toEqual(['job.updated:-', 'execution.created:b', 'execution.created:a', 'execution.started:a', 'execution.step.finished:a', 'execution.finished:a']);
  });

  it('releases held events after holdMs when created never comes, and drops a created that arrives later', () => {
    vi.useFakeTimers();
    const out: string[] = [];
    const o = createExecutionOrder((e) => out.push(e.type), { holdMs: 500 });
    o.push(ev('execution.started', 'old'));
    vi.advanceTimersByTime(499);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(out).toEqual(['execution.started']);
    o.push(ev('execution.created', 'old'));
    o.push(ev('execution.finished', 'old'));
    expect(out).toEqual(['execution.started', 'execution.finished']);
  });

  it('close delivers what is held', () => {
    const out: string[] = [];
    const o = createExecutionOrder((e) => out.push(e.type));
    o.push(ev('execution.started', 'x'));
    o.close();
    expect(out).toEqual(['execution.started']);
  });
});
