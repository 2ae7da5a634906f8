import { headers } from '@nats-io/transport-node';
import type { Msg, MsgHdrs } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { pubAckError } from './nats-errors.js';

/** A JetStream publish acknowledgement as the subscription hands it over. */
const ack = (text: string, h?: MsgHdrs): Msg => ({ headers: h, string: () => text }) as unknown as Msg;

describe('pubAckError', () => {
  it('accepts a stored and a de-duplicated message', () => {
    expect(pubAckError(ack('{"stream":"VECRON_WORK","seq":12}'))).toBeNull();
    expect(pubAckError(ack('{"stream":"VECRON_WORK","seq":12,"duplicate":true}'))).toBeNull();
    expect(pubAckError(ack('{"stream":"VECRON_WORK","domain":"hub","seq":1}'))).toBeNull();
  });

  it('reports a refusal, wherever the error member is', () => {
    const refusal = '"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}';
    for (const text of [`{${refusal}}`, `{${refusal},"stream":"VECRON_WORK","seq":0}`, `{"stream":"VECRON_WORK","seq":0,${refusal}}`]) {
      expect(pubAckError(ack(text))?.message).toBe('publish refused: maximum messages exceeded (10077)');
    }
    expect(pubAckError(ack('{"error":{"code":400}}'))?.message).toBe('publish refused: no description (400)');
  });

  it('refuses an ack without a stream, an unreadable one and a truncated one', () => {
    expect(pubAckError(ack('{"seq":1}'))?.message).toBe('publish acknowledgement without a stream');
    expect(pubAckError(ack('{"stream":7,"seq":1}'))?.message).toBe('publish acknowledgement without a stream');
    expect(pubAckError(ack('not json'))?.message).toBe('unreadable publish acknowledgement');
    expect(pubAckError(ack('{"stream":"VECRON_WORK","seq":1'))?.message).toBe('unreadable publish acknowledgement');
  });

  it('reports no responders from the status header', () => {
    expect(pubAckError(ack('', headers(503, 'No Responders')))?.message).toBe('no responders: 503 No Responders');
  });
});
