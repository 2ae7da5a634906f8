import type { Msg, MsgHdrsImpl, NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import type { PublishOptions } from '../../queue/port.js';
import { createBatchPublisher, encodeMessageHeaders, messageHeaders } from './nats-publish.js';

const now = Date.parse('2026-12-07T00:00:00.000Z');
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('encodeMessageHeaders', () => {
  const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const jobId = '0b0f8c57-6a4e-4b53-9d3c-2f9a1b0c7d11';
  const cases: Array<[string, PublishOptions, string]> = [
    ['nothing but the id', {}, 'e-1'],
    ['every header, not-before in the future', { notBefore: new Date(now + 1), traceparent: tp, jobId }, 'e-1'],
    ['not-before now, in the past', { notBefore: new Date(now), traceparent: tp, jobId }, 'e-1'],
    ['not-before long past', { notBefore: new Date(now - 86_400_000), jobId }, 'e-1'],
    ['no traceparent', { notBefore: new Date(now + 60_000), jobId }, 'e-1:3'],
    ['an empty traceparent and job id', { traceparent: '', jobId: '' }, 'e-1'],
    ['values to trim and non-ASCII ones', { traceparent: `  ${tp}\t`, jobId: ' jöb-ü ' }, ' e-1 '],
  ];

  it.each(cases)('writes what nats.js headers() encodes: %s', (_, m, msgId) => {
    expect(text(encodeMessageHeaders(m, now, msgId))).toBe(text((messageHeaders(m, now, msgId) as MsgHdrsImpl).encode()));
  });

  it('writes the block nats-server reads, the not-before header only in the future', () => {
    expect(text(encodeMessageHeaders({ notBefore: new Date(now + 1_000), traceparent: tp, jobId }, now, 'e-1'))).toBe(
      `NATS/1.0\r\nNats-Msg-Id: e-1\r\nVecron-Not-Before: 2026-12-07T00:00:01.000Z\r\ntraceparent: ${tp}\r\nVecron-Job-Id: ${jobId}\r\n\r\n`,
    );
    expect(text(encodeMessageHeaders({ notBefore: new Date(now - 1_000) }, now, 'e-1'))).toBe('NATS/1.0\r\nNats-Msg-Id: e-1\r\n\r\n');
  });

  it('refuses a value with a line break as nats.js does', () => {
    for (const [m, msgId] of [[{ traceparent: 'a\r\nX-Evil: 1' }, 'e-1'], [{ jobId: 'j\n' }, 'e-1'], [{}, 'e-1\r']] as const) {
      const theirs = (() => { try { messageHeaders(m, now, msgId); } catch (e) { return e; } })();
      expect(theirs).toBeInstanceOf(Error);
      expect(() => encodeMessageHeaders(m, now, msgId)).toThrow((theirs as Error).message);
    }
  });
});

/** A connection that records publishes and lets the test answer them on the ack subscription. */
function fakeConnection(refuse: (executionId: string) => boolean = () => false) {
  const published: Array<{ subject: string; data: string; reply: string; headers: string }> = [];
  let deliver: (err: Error | null, msg: Msg) => void = () => undefined;
  const conn = {
    subscribe: (_: string, opts: { callback: typeof deliver }) => {
      deliver = opts.callback;
      return { isClosed: () => false };
    },
    publish: (subject: string, data: string | Uint8Array, opts: { reply: string; headers: { encode(): Uint8Array } }) => {
      const executionId = typeof data === 'string' ? data : text(data);
      if (refuse(executionId)) throw new Error(`refused ${executionId}`);
      published.push({ subject, data: executionId, reply: opts.reply, headers: text(opts.headers.encode()) });
    },
  } as unknown as NatsConnection;
  const ack = (executionId: string, body: string): void => {
    const reply = published.find((p) => p.data === executionId)!.reply;
    deliver(null, { subject: reply, headers: undefined, string: () => body } as unknown as Msg);
  };
  return { conn, published, ack };
}

describe('createBatchPublisher', () => {
  const stored = '{"stream":"W","seq":1}';

  it('publishes each message with its header block and answers each from its own ack, in any order', async () => {
    const { conn, published, ack } = fakeConnection((id) => id === 'e-3');
    const publish = createBatchPublisher('vecron.work', 5_000, Date.now);
    const notBefore = new Date(Date.now() + 60_000);
    const answers = publish(conn, [{ executionId: 'e-1', jobId: 'j' }, { executionId: 'e-2', notBefore, deduplicationId: 'e-2:4' }, { executionId: 'e-3' }, { executionId: 'e-4' }]);
    expect(published.map((p) => [p.subject, p.data])).toEqual([['vecron.work', 'e-1'], ['vecron.work', 'e-2'], ['vecron.work', 'e-4']]);
    expect(published[1]!.headers).toBe(`NATS/1.0\r\nNats-Msg-Id: e-2:4\r\nVecron-Not-Before: ${notBefore.toISOString()}\r\n\r\n`);
    expect(new Set(published.map((p) => p.reply)).size).toBe(3);
    ack('e-4', '{"error":{"code":503,"err_code":10077,"description":"full"}}');
    ack('e-1', stored);
    ack('e-1', '{"error":{"code":500,"description":"a second answer is ignored"}}');
    ack('e-2', '{"stream":"W","seq":1,"duplicate":true}');
    expect((await answers).map((a) => a?.message ?? null)).toEqual([null, null, 'refused e-3', 'publish refused: full (10077)']);
  });

  it('decides whether notBefore is still ahead by the clock it is given, not the host clock', async () => {
    const { conn, published, ack } = fakeConnection();
    // The system's clock (the database's) is 5 s behind this host: a notBefore 1 s ago on the host
    // clock is 4 s ahead on the system's, so it needs its header; one 6 s ago does not.
    const publish = createBatchPublisher('vecron.work', 100, () => Date.now() - 5_000);
    const ahead = new Date(Date.now() - 1_000);
    const answers = publish(conn, [{ executionId: 'e-1', notBefore: ahead }, { executionId: 'e-2', notBefore: new Date(Date.now() - 6_000) }]);
    expect(published.map((p) => p.headers)).toEqual([
      `NATS/1.0\r\nNats-Msg-Id: e-1\r\nVecron-Not-Before: ${ahead.toISOString()}\r\n\r\n`,
      'NATS/1.0\r\nNats-Msg-Id: e-2\r\n\r\n',
    ]);
    for (const id of ['e-1', 'e-2']) ack(id, stored);
    expect(await answers).toEqual([null, null]);
  });

  it('keeps concurrent batches apart and times out only the messages left unanswered', async () => {
    const { conn, ack } = fakeConnection();
    const publish = createBatchPublisher('vecron.work', 100, Date.now);
    const first = publish(conn, [{ executionId: 'a-1' }, { executionId: 'a-2' }]);
    const second = publish(conn, [{ executionId: 'b-1' }]);
    ack('b-1', stored);
    ack('a-2', stored);
    expect(await second).toEqual([null]);
    const started = Date.now();
    expect((await first).map((a) => a?.message ?? null)).toEqual(['no acknowledgement within 100 ms', null]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('answers an empty batch at once', async () => {
    expect(await createBatchPublisher('vecron.work', 100, Date.now)(fakeConnection().conn, [])).toEqual([]);
  });
});
