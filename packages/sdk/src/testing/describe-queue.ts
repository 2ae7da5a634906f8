import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Queue, QueueMessage } from '../queue/port.js';
import { until } from './poll.js';

/** Options of {@link describeQueue}. */
export interface QueueConformanceOptions {
  /** A fresh, empty queue per test. */
  create: () => Promise<Queue>;
  /** Extra cleanup after `close()` (delete a stream, …). */
  destroy?: (queue: Queue) => Promise<void>;
  /** How long to wait for deliveries, ms. @default 5000 */
  deliveryTimeoutMs?: number;
}

type Received = { id: string; count: number; at: number };

/**
 * The conformance suite every queue adapter runs (in-process, NATS JetStream, third-party):
 * delivery and ack, `publishMany` where an adapter has it, de-duplication by execution id (and a new generation under a new
 * deduplication id), nak with delay and a rising delivery count, redelivery of a message whose
 * handler threw or left it unsettled, delayed publishing, the concurrency limit, and a clean stop.
 */
export function describeQueue(name: string, options: QueueConformanceOptions): void {
  describe(`queue conformance: ${name}`, () => {
    const s: SuiteState = {
      wait: options.deliveryTimeoutMs ?? 5_000,
      q: null as unknown as Queue,
      stop: new AbortController(),
      consuming: null,
      consume(handler, concurrency = 4) {
        s.consuming = s.q.consume(handler, { concurrency, signal: s.stop.signal });
      },
    };
    beforeEach(async () => {
      s.q = await options.create();
      s.stop = new AbortController();
      s.consuming = null;
    });
    afterEach(async () => {
      s.stop.abort();
      await s.consuming;
      await s.q.close();
      await options.destroy?.(s.q);
    });
    deliveryCases(s);
    redeliveryCases(s);
    flowCases(s);
  });
}

/** The queue of the running test, its consumer and its stop signal (reset before each test). */
interface SuiteState {
  /** How long to wait for deliveries, ms. */
  readonly wait: number;
  q: Queue;
  stop: AbortController;
  consuming: Promise<void> | null;
  /** Starts consuming the test's queue with `handler`. */
  consume(handler: (m: QueueMessage) => Promise<void>, concurrency?: number): void;
}

/** Delivery, the job hint, publishMany and de-duplication by id. */
function deliveryCases(s: SuiteState): void {
  it('delivers a published id once it is acked', async () => {
    const got: Received[] = [];
    s.consume(async (m) => {
      got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
      await m.ack();
    });
    await s.q.publish('11111111-1111-4111-8111-111111111111');
    await until(() => got.length === 1, { timeoutMs: s.wait });
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual([expect.objectContaining({ id: '11111111-1111-4111-8111-111111111111', count: 1 })]);
  });

  it('carries the job hint given at publish, or none — never another one', async () => {
    const got: Array<{ id: string; jobId: string | undefined }> = [];
    s.consume(async (m) => {
      got.push({ id: m.executionId, jobId: m.jobId });
      await m.ack();
    });
    await s.q.publish('33333333-3333-4333-8333-333333333333', { jobId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' });
    await s.q.publish('44444444-4444-4444-8444-444444444444');
    await until(() => got.length === 2, { timeoutMs: s.wait });
    const byId = new Map(got.map((g) => [g.id, g.jobId]));
    expect([undefined, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa']).toContain(byId.get('33333333-3333-4333-8333-333333333333'));
    expect(byId.get('44444444-4444-4444-8444-444444444444')).toBeUndefined();
  });

  it('publishMany (where the queue has it) answers null per message and delivers each once, de-duplicated by id, with its job hint', async () => {
    if (!s.q.publishMany) return;
    const ids = Array.from({ length: 300 }, (_, i) => `55555555-5555-4555-8555-${String(i).padStart(12, '0')}`);
    const job = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
    expect(await s.q.publishMany([])).toEqual([]);
    const answers = await s.q.publishMany([...ids.map((executionId) => ({ executionId, jobId: job })), { executionId: ids[0]!, jobId: job }]);
    expect(answers).toEqual(new Array(ids.length + 1).fill(null));
    const got: Array<{ id: string; jobId: string | undefined }> = [];
    s.consume(async (m) => {
      got.push({ id: m.executionId, jobId: m.jobId });
      await m.ack();
    }, 50);
    await until(() => got.length >= ids.length, { timeoutMs: s.wait });
    await new Promise((r) => setTimeout(r, 300));
    expect(got.map((g) => g.id).sort()).toEqual(ids);
    for (const g of got) expect([undefined, job]).toContain(g.jobId);
  });

  it('de-duplicates a publish of the same id', async () => {
    await s.q.publish('22222222-2222-4222-8222-222222222222');
    await s.q.publish('22222222-2222-4222-8222-222222222222');
    const got: Received[] = [];
    s.consume(async (m) => {
      got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
      await m.ack();
    });
    await until(() => got.length >= 1, { timeoutMs: s.wait });
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toHaveLength(1);
  });
}

/** Redelivery: nak with delay, a handler that threw or left the message unsettled, notBefore. */
function redeliveryCases(s: SuiteState): void {
  it('redelivers after nak(delay) with a higher delivery count', async () => {
    const got: Received[] = [];
    s.consume(async (m) => {
      got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
      if (m.deliveryCount === 1) await m.nak(300);
      else await m.ack();
    });
    await s.q.publish('33333333-3333-4333-8333-333333333333');
    await until(() => got.length === 2, { timeoutMs: s.wait });
    expect(got[1]!.count).toBe(2);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(250);
  });

  it('delivers again, after about a second, a message whose handler threw', async () => {
    const got: Received[] = [];
    s.consume(async (m) => {
      got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
      if (m.deliveryCount === 1) throw new Error('handler failed on purpose');
      await m.ack();
    });
    await s.q.publish('77777777-7777-4777-8777-777777777777');
    await until(() => got.length === 2, { timeoutMs: s.wait + 1_000 });
    expect(got[1]).toMatchObject({ id: '77777777-7777-4777-8777-777777777777', count: 2 });
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('delivers again a message whose handler returned without acking or nak\'ing it', async () => {
    const got: Received[] = [];
    s.consume(async (m) => {
      got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
      if (m.deliveryCount > 1) await m.ack();
    });
    await s.q.publish('88888888-8888-4888-8888-888888888888');
    await until(() => got.length === 2, { timeoutMs: s.wait });
    expect(got[1]).toMatchObject({ id: '88888888-8888-4888-8888-888888888888', count: 2 });
  });

  it('does not deliver before notBefore', async () => {
    const got: Received[] = [];
    const publishedAt = Date.now();
    s.consume(async (m) => {
      got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
      await m.ack();
    });
    await s.q.publish('44444444-4444-4444-8444-444444444444', { notBefore: new Date(publishedAt + 500) });
    await until(() => got.length === 1, { timeoutMs: s.wait });
    expect(got[0]!.at - publishedAt).toBeGreaterThanOrEqual(450);
  });
}

/** The concurrency limit, a new generation under a new deduplication id, and a clean stop. */
function flowCases(s: SuiteState): void {
  it('runs at most `concurrency` handlers at once', async () => {
    let active = 0;
    let peak = 0;
    let done = 0;
    s.consume(async (m) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 50));
      active--;
      done++;
      await m.ack();
    }, 3);
    for (let i = 0; i < 12; i++) await s.q.publish(`55555555-5555-4555-8555-${String(i).padStart(12, '0')}`);
    await until(() => done === 12, { timeoutMs: s.wait * 2 });
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThanOrEqual(2);
  });

  it('delivers again at once a publish under a new deduplication id while the first delivery is held', async () => {
    // A worker that still holds delivery 1 and keeps extending it (inProgress) is never
    // redelivered by its ack wait; a re-publish under a new deduplication id (the dispatcher's
    // next generation after a lost lease or a hand-back) must reach a consumer anyway, and a
    // re-publish under the same id must not (both deliveries are held to the end).
    const id = '77777777-7777-4777-8777-777777777777';
    const got: Received[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    s.consume(async (m) => {
      got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
      const keepAlive = setInterval(() => void m.inProgress(), 200);
      await held;
      clearInterval(keepAlive);
      await m.ack();
    });
    try {
      await s.q.publish(id);
      await until(() => got.length === 1, { timeoutMs: s.wait });
      await s.q.publish(id);
      await s.q.publish(id, { deduplicationId: id });
      await new Promise((r) => setTimeout(r, 500));
      expect(got).toHaveLength(1);
      await s.q.publish(id, { deduplicationId: `${id}:2` });
      await until(() => got.length === 2, { timeoutMs: s.wait });
      expect(got[1]!.id).toBe(id);
      await s.q.publish(id, { deduplicationId: `${id}:2` });
      await new Promise((r) => setTimeout(r, 500));
      expect(got).toHaveLength(2);
    } finally {
      release();
    }
  });

  it('stops consuming when the signal aborts and waits for in-flight handlers', async () => {
    let finished = false;
    let started = false;
    s.consume(async (m) => {
      started = true;
      await new Promise((r) => setTimeout(r, 300));
      finished = true;
      await m.ack();
    });
    await s.q.publish('66666666-6666-4666-8666-666666666666');
    await until(() => started, { timeoutMs: s.wait });
    s.stop.abort();
    await s.consuming;
    expect(finished).toBe(true);
  });
}
