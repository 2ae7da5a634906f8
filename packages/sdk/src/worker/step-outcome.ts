import { isRetryable, RetryAfterError } from '../errors/errors.js';
import { backoffDelay } from '../reliability/backoff.js';
import type { BackoffOptions } from '../reliability/backoff.js';

/** What happens after a step attempt failed. */
export type FailureAction =
  | { kind: 'retry'; delayMs: number }
  | { kind: 'continue' }
  | { kind: 'fail'; status: 'failed' | 'dead_letter' };

/**
 * Decides retry / continue / fail for a failed step attempt (docs/architecture.md#7-retries-backoff-dead-letter):
 * a retryable error is retried while the step's `retry_count` (default: the job's `max_retries`)
 * and the job's `max_retries` both allow, with full-jitter backoff (at least a `Retry-After`);
 * retries exhausted → `dead_letter`; a permanent error → `failed`, or `continue` when the step says so.
 */
export function decideFailure(args: {
  error: unknown;
  previousFailures: number;
  stepRetryCount: number | null | undefined;
  jobMaxRetries: number;
  executionAttempt: number;
  onFailure: 'stop' | 'continue';
  backoff: BackoffOptions;
  random?: () => number;
}): FailureAction {
  const retryable = isRetryable(args.error);
  const stepLimit = args.stepRetryCount ?? args.jobMaxRetries;
  const failuresIncludingThis = args.previousFailures + 1;
  const retriesUsed = args.executionAttempt - 1;
  if (retryable && failuresIncludingThis <= stepLimit && retriesUsed < args.jobMaxRetries) {
    let delayMs = backoffDelay(failuresIncludingThis, args.backoff, args.random);
    if (args.error instanceof RetryAfterError) delayMs = Math.max(delayMs, args.error.retryAfterMs);
    return { kind: 'retry', delayMs };
  }
  if (args.onFailure === 'continue') return { kind: 'continue' };
  return { kind: 'fail', status: retryable ? 'dead_letter' : 'failed' };
}

/** A step output must survive storage as JSON; this makes a plain JSON copy or explains why not. */
export function toJsonOutput(output: unknown): unknown {
  if (output === undefined) return null;
  return JSON.parse(JSON.stringify(output, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}
