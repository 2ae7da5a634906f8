import type { MsgHdrsImpl } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import type { PublishOptions } from '../../queue/port.js';
import { encodeMessageHeaders, messageHeaders } from './nats-publish.js';

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
