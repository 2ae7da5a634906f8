import { describe, expect, it, vi } from 'vitest';
import { VecronError } from '../errors/errors.js';
import { beforeAbort, probeBeforeAbort } from './abort.js';

const unavailable = (what: string, cause: unknown): VecronError =>
  new VecronError('QUEUE_UNAVAILABLE', `queue ${what}: ${(cause as Error).message}`, { cause, retryable: true });

/** A signal whose listeners are counted: added minus removed. */
function countedSignal(): { controller: AbortController; listeners: () => number } {
  const controller = new AbortController();
  let n = 0;
  const add = controller.signal.addEventListener.bind(controller.signal);
  const remove = controller.signal.removeEventListener.bind(controller.signal);
  vi.spyOn(controller.signal, 'addEventListener').mockImplementation((...args: Parameters<typeof add>) => {
    n++;
    add(...args);
  });
  vi.spyOn(controller.signal, 'removeEventListener').mockImplementation((...args: Parameters<typeof remove>) => {
    n--;
    remove(...args);
  });
  return { controller, listeners: () => n };
}

describe('probeBeforeAbort', () => {
  it('aborted before: rejects with unavailable(connect) and never starts the probe', async () => {
    const { controller, listeners } = countedSignal();
    controller.abort();
    const probe = vi.fn(async () => undefined);
    const err = await probeBeforeAbort(probe, controller.signal, unavailable).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VecronError);
    expect(err).toMatchObject({ code: 'QUEUE_UNAVAILABLE', message: 'queue connect: no answer within the start deadline' });
    expect(probe).not.toHaveBeenCalled();
    expect(listeners()).toBe(0);
  });

  it('aborted during: rejects with unavailable(connect) without waiting for the probe, and removes its listener', async () => {
    const { controller, listeners } = countedSignal();
    const check = probeBeforeAbort(() => new Promise(() => undefined), controller.signal, unavailable);
    expect(listeners()).toBe(1);
    controller.abort();
    await expect(check).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE', message: 'queue connect: no answer within the start deadline' });
    expect(listeners()).toBe(0);
  });

  it('probe rejects with a plain error: unavailable(connect) with that cause; the listener is removed', async () => {
    const { controller, listeners } = countedSignal();
    const cause = new Error('ECONNREFUSED');
    const err = await probeBeforeAbort(() => Promise.reject(cause), controller.signal, unavailable).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'QUEUE_UNAVAILABLE', message: 'queue connect: ECONNREFUSED', cause });
    expect(listeners()).toBe(0);
  });

  it('probe rejects with a VecronError: passed through as it is', async () => {
    const own = new VecronError('QUEUE_UNAVAILABLE', 'set-up failed');
    await expect(probeBeforeAbort(() => Promise.reject(own), new AbortController().signal, unavailable)).rejects.toBe(own);
  });

  it('probe resolves: resolves; the listener is removed and a later abort calls nothing', async () => {
    const { controller, listeners } = countedSignal();
    const spy = vi.fn(unavailable);
    await expect(probeBeforeAbort(async () => 'pong', controller.signal, spy)).resolves.toBeUndefined();
    expect(listeners()).toBe(0);
    controller.abort();
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('beforeAbort', () => {
  it('resolves with the value of the promise that settles first', async () => {
    await expect(beforeAbort(Promise.resolve(7), new AbortController().signal, () => new Error('late'))).resolves.toBe(7);
  });

  it('rejects with onAbort() once the signal aborts, at once when it has already', async () => {
    const controller = new AbortController();
    const pending = beforeAbort(new Promise(() => undefined), controller.signal, () => new Error('deadline'));
    controller.abort();
    await expect(pending).rejects.toThrow('deadline');
    await expect(beforeAbort(new Promise(() => undefined), controller.signal, () => new Error('already'))).rejects.toThrow('already');
  });
});
