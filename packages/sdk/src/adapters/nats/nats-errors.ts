import type { Msg } from '@nats-io/transport-node';
import { VecronError } from '../../errors/errors.js';

/** A retryable `QUEUE_UNAVAILABLE` error naming the server (without its password) and the cause. */
export function queueUnavailable(server: string, what: string, cause: unknown): VecronError {
  return new VecronError('QUEUE_UNAVAILABLE', `NATS ${what} failed (${server}): ${(cause as Error)?.message ?? String(cause)}`, {
    cause, retryable: true, details: { server },
  });
}

/** The error a JetStream publish acknowledgement reports, or null when the stream stored (or de-duplicated) the message. */
export function pubAckError(msg: Msg): Error | null {
  // No stream on the subject: the server answers with a 503 status ("no responders").
  if (msg.headers?.hasError) return new Error(`no responders: ${msg.headers.code} ${msg.headers.description}`.trim());
  const text = msg.string();
  // nats-server writes a stored (or de-duplicated) message's ack as `{"stream":"…","seq":…}`, and
  // an `error` member only when it refuses one: such an ack needs no parsing.
  if (text.startsWith('{"stream":"') && text.endsWith('}') && !text.includes('"error"')) return null;
  let ack: { stream?: unknown; error?: { code?: number; err_code?: number; description?: string } };
  try {
    ack = JSON.parse(text) as typeof ack;
  } catch {
    return new Error('unreadable publish acknowledgement');
  }
  if (ack.error) return new Error(`publish refused: ${ack.error.description ?? 'no description'} (${ack.error.err_code ?? ack.error.code ?? '?'})`);
  return typeof ack.stream === 'string' ? null : new Error('publish acknowledgement without a stream');
}

/**
 * Whether an error from the client means the stream or the consumer is gone (e.g. a server that
 * lost its state, or a stream deleted under a live connection). A publish to a subject no stream
 * listens on fails with "jetstream is not enabled" caused by "no responders", so causes count too.
 */
export function isMissingResource(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e !== undefined && e !== null; depth++) {
    if (/stream not found|consumer not found|no responders/i.test(String((e as Error).message))) return true;
    e = (e as Error).cause;
  }
  return false;
}

/** Rejects with `QUEUE_UNAVAILABLE` when `p` has not settled within `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
        timer.unref();
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
