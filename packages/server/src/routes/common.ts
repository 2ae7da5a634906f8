import type { Execution, Job, JobFireTimes, StepAttempt } from '@vecron/sdk';
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

/**
 * A job as the API returns it: literal secrets in the definition masked; `next_fire_at` and
 * `last_fire_at` as stored by the schedulers (null when none).
 */
export function jobView(job: Job, times: JobFireTimes | undefined): Record<string, unknown> {
  return {
    id: job.id, name: job.name, enabled: job.enabled, version: job.version,
    definition: maskSecrets(job.definition), created_at: job.createdAt.toISOString(), updated_at: job.updatedAt.toISOString(),
    next_fire_at: isoOrNull(times?.nextFireAt), last_fire_at: isoOrNull(times?.lastFireAt),
  };
}

/** JSON schema of {@link jobView} (OpenAPI `components.schemas.Job`). */
export const jobViewJsonSchema = {
  type: 'object',
  required: ['id', 'name', 'enabled', 'version', 'definition', 'created_at', 'updated_at', 'next_fire_at', 'last_fire_at'],
  properties: {
    id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, enabled: { type: 'boolean' }, version: { type: 'integer' },
    definition: { type: 'object', description: 'the job definition, literal secrets masked' },
    created_at: { type: 'string', format: 'date-time' }, updated_at: { type: 'string', format: 'date-time' },
    next_fire_at: { type: ['string', 'null'], format: 'date-time', description: 'the next instant the schedulers act on (fire, or record a skip); null without a schedule or when it is exhausted' },
    last_fire_at: { type: ['string', 'null'], format: 'date-time', description: 'the nominal instant of the last fire; null before the first' },
  },
} as const;

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
