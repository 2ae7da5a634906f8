import { describe, expect, it, vi } from 'vitest';
import { ExecutionAbort } from './execution-abort.js';

describe('ExecutionAbort', () => {
  it('aborts once with the first reason and calls each listener once, in order', () => {
    const a = new ExecutionAbort();
    const calls: string[] = [];
    a.onAbort(() => calls.push(`one:${String(a.reason)}`));
    a.onAbort(() => calls.push('two'));
    expect(a.aborted).toBe(false);
    a.abort('first');
    a.abort('second');
    expect(a.aborted).toBe(true);
    expect(a.reason).toBe('first');
    expect(calls).toEqual(['one:first', 'two']);
  });

  it('does not call a removed listener, nor one added after the abort', () => {
    const a = new ExecutionAbort();
    const removed = vi.fn();
    const off = a.onAbort(removed);
    off();
    a.abort(new Error('stop'));
    const late = vi.fn();
    a.onAbort(late);
    expect(removed).not.toHaveBeenCalled();
    expect(late).not.toHaveBeenCalled();
  });
});
