import type { Execution, Job, StepAttempt } from '@vecron/sdk';
import { z } from 'zod';
import { notFound } from '../http/api-error.js';
import { isUuid } from '../store/server-store.js';
import { maskSecrets } from '../transfer/secret-fields.js';

/** `?limit=&offset=` with bounds. */
export const pagination = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

/** The `:id` param as a UUID, or a 404 (a malformed id is as unknown as a missing one). */
export function idParam(params: Record<string, string>, kind: string, name = 'id'): string {
  const id = params[name] ?? '';
  if (!isUuid(id)) throw notFound(kind, id);
  return id.toLowerCase();
}

const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** A job as the API returns it: literal secrets in the definition masked. */
export function jobView(job: Job): Record<string, unknown> {
  return {
    id: job.id, name: job.name, enabled: job.enabled, version: job.version,
    definition: maskSecrets(job.definition), created_at: job.createdAt.toISOString(), updated_at: job.updatedAt.toISOString(),
  };
}

/** An execution as the API returns it. */
export function executionView(e: Execution, withContext = false): Record<string, unknown> {
  return {
    id: e.id, job_id: e.jobId, status: e.status, trigger_source: e.triggerSource, trigger_metadata: e.triggerMetadata,
    idempotency_key: e.idempotencyKey, scheduled_for: isoOrNull(e.scheduledFor), attempt: e.attempt, current_step: e.currentStep,
    error: e.error, replay_of: e.replayOf, created_at: e.createdAt.toISOString(), started_at: isoOrNull(e.startedAt), finished_at: isoOrNull(e.finishedAt),
    ...(withContext ? { context: maskSecrets(e.context) } : {}),
  };
}

/** One step attempt in the execution timeline. */
export function stepAttemptView(a: StepAttempt): Record<string, unknown> {
  return {
    step_id: a.stepId, attempt: a.attempt, status: a.status, started_at: a.startedAt.toISOString(), finished_at: isoOrNull(a.finishedAt),
    duration_ms: a.finishedAt ? a.finishedAt.getTime() - a.startedAt.getTime() : null, error: a.error, retry_delay_ms: a.retryDelayMs,
  };
}
