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
  const wait = options.deliveryTimeoutMs ?? 5_000;
  describe(`queue conformance: ${name}`, () => {
    let q: Queue;
    let stop: AbortController;
    let consuming: Promise<void> | null;
    beforeEach(async () => {
      q = await options.create();
      stop = new AbortController();
      consuming = null;
    });
    afterEach(async () => {
      stop.abort();
      await consuming;
      await q.close();
      await options.destroy?.(q);
    });

    const consume = (handler: (m: QueueMessage) => Promise<void>, concurrency = 4): void => {
      consuming = q.consume(handler, { concurrency, signal: stop.signal });
    };

    it('delivers a published id once it is acked', async () => {
      const got: Received[] = [];
      consume(async (m) => {
        got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
        await m.ack();
      });
      await q.publish('11111111-1111-4111-8111-111111111111');
      await until(() => got.length === 1, { timeoutMs: wait });
      await new Promise((r) => setTimeout(r, 300));
      expect(got).toEqual([expect.objectContaining({ id: '11111111-1111-4111-8111-111111111111', count: 1 })]);
    });

    it('carries the job hint given at publish, or none — never another one', async () => {
      const got: Array<{ id: string; jobId: string | undefined }> = [];
      consume(async (m) => {
        got.push({ id: m.executionId, jobId: m.jobId });
        await m.ack();
      });
      await q.publish('33333333-3333-4333-8333-333333333333', { jobId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' });
      await q.publish('44444444-4444-4444-8444-444444444444');
      await until(() => got.length === 2, { timeoutMs: wait });
      const byId = new Map(got.map((g) => [g.id, g.jobId]));
      expect([undefined, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa']).toContain(byId.get('33333333-3333-4333-8333-333333333333'));
      expect(byId.get('44444444-4444-4444-8444-444444444444')).toBeUndefined();
    });

    it('publishMany (where the queue has it) answers null per message and delivers each once, de-duplicated by id, with its job hint', async () => {
      if (!q.publishMany) return;
      const ids = Array.from({ length: 300 }, (_, i) => `55555555-5555-4555-8555-${String(i).padStart(12, '0')}`);
      const job = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
      expect(await q.publishMany([])).toEqual([]);
      const answers = await q.publishMany([...ids.map((executionId) => ({ executionId, jobId: job })), { executionId: ids[0]!, jobId: job }]);
      expect(answers).toEqual(new Array(ids.length + 1).fill(null));
      const got: Array<{ id: string; jobId: string | undefined }> = [];
      consume(async (m) => {
        got.push({ id: m.executionId, jobId: m.jobId });
        await m.ack();
      }, 50);
      await until(() => got.length >= ids.length, { timeoutMs: wait });
      await new Promise((r) => setTimeout(r, 300));
      expect(got.map((g) => g.id).sort()).toEqual(ids);
      for (const g of got) expect([undefined, job]).toContain(g.jobId);
    });

    it('de-duplicates a publish of the same id', async () => {
      await q.publish('22222222-2222-4222-8222-222222222222');
      await q.publish('22222222-2222-4222-8222-222222222222');
      const got: Received[] = [];
      consume(async (m) => {
        got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
        await m.ack();
      });
      await until(() => got.length >= 1, { timeoutMs: wait });
      await new Promise((r) => setTimeout(r, 300));
      expect(got).toHaveLength(1);
    });

    it('redelivers after nak(delay) with a higher delivery count', async () => {
      const got: Received[] = [];
      consume(async (m) => {
        got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
        if (m.deliveryCount === 1) await m.nak(300);
        else await m.ack();
      });
      await q.publish('33333333-3333-4333-8333-333333333333');
      await until(() => got.length === 2, { timeoutMs: wait });
      expect(got[1]!.count).toBe(2);
      expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(250);
    });

    it('delivers again, after about a second, a message whose handler threw', async () => {
      const got: Received[] = [];
      consume(async (m) => {
        got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
        if (m.deliveryCount === 1) throw new Error('handler failed on purpose');
        await m.ack();
      });
      await q.publish('77777777-7777-4777-8777-777777777777');
      await until(() => got.length === 2, { timeoutMs: wait + 1_000 });
      expect(got[1]).toMatchObject({ id: '77777777-7777-4777-8777-777777777777', count: 2 });
      expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(900);
    });

    it('delivers again a message whose handler returned without acking or nak\'ing it', async () => {
      const got: Received[] = [];
      consume(async (m) => {
        got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
        if (m.deliveryCount > 1) await m.ack();
      });
      await q.publish('88888888-8888-4888-8888-888888888888');
      await until(() => got.length === 2, { timeoutMs: wait });
      expect(got[1]).toMatchObject({ id: '88888888-8888-4888-8888-888888888888', count: 2 });
    });

    it('does not deliver before notBefore', async () => {
      const got: Received[] = [];
      const publishedAt = Date.now();
      consume(async (m) => {
        got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
        await m.ack();
      });
      await q.publish('44444444-4444-4444-8444-444444444444', { notBefore: new Date(publishedAt + 500) });
      await until(() => got.length === 1, { timeoutMs: wait });
      expect(got[0]!.at - publishedAt).toBeGreaterThanOrEqual(450);
    });

    it('runs at most `concurrency` handlers at once', async () => {
      let active = 0;
      let peak = 0;
      let done = 0;
      consume(async (m) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 50));
        active--;
        done++;
        await m.ack();
      }, 3);
      for (let i = 0; i < 12; i++) await q.publish(`55555555-5555-4555-8555-${String(i).padStart(12, '0')}`);
      await until(() => done === 12, { timeoutMs: wait * 2 });
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
      consume(async (m) => {
        got.push({ id: m.executionId, count: m.deliveryCount, at: Date.now() });
        const keepAlive = setInterval(() => void m.inProgress(), 200);
        await held;
        clearInterval(keepAlive);
        await m.ack();
      });
      try {
        await q.publish(id);
        await until(() => got.length === 1, { timeoutMs: wait });
        await q.publish(id);
        await q.publish(id, { deduplicationId: id });
        await new Promise((r) => setTimeout(r, 500));
        expect(got).toHaveLength(1);
        await q.publish(id, { deduplicationId: `${id}:2` });
        await until(() => got.length === 2, { timeoutMs: wait });
        expect(got[1]!.id).toBe(id);
        await q.publish(id, { deduplicationId: `${id}:2` });
        await new Promise((r) => setTimeout(r, 500));
        expect(got).toHaveLength(2);
      } finally {
        release();
      }
    });

    it('stops consuming when the signal aborts and waits for in-flight handlers', async () => {
      let finished = false;
      let started = false;
      consume(async (m) => {
        started = true;
        await new Promise((r) => setTimeout(r, 300));
        finished = true;
        await m.ack();
      });
      await q.publish('66666666-6666-4666-8666-666666666666');
      await until(() => started, { timeoutMs: wait });
      stop.abort();
      await consuming;
      expect(finished).toBe(true);
    });
  });
}
