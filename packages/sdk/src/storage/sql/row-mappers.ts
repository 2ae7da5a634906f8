import type { Execution, LedgerEntry, StepAttempt } from '../../model/execution.js';
import type { Job } from '../../model/job.js';
import type { StepLogLevel, StoredStepLogLine } from '../../model/step-log.js';
import type { JobDefinition } from '../../model/job-definition.js';
import type { StoredVariable } from '../port.js';

type Row = Record<string, unknown>;

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Column list for executions, with the bigint token as text (drivers differ on int8). */
export const EXECUTION_COLUMNS = `id, job_id, idempotency_key, status, trigger_source, trigger_metadata, scheduled_for, attempt,
  current_step, context, error, available_at, lease_owner, lease_expires_at, fencing_token::text AS fencing_token,
  replay_of, created_at, started_at, finished_at`;

export function toExecution(r: Row): Execution {
  return {
    id: String(r.id),
    jobId: String(r.job_id),
    idempotencyKey: String(r.idempotency_key),
    status: r.status as Execution['status'],
    triggerSource: r.trigger_source as Execution['triggerSource'],
    triggerMetadata: json(r.trigger_metadata) ?? {},
    scheduledFor: dateOrNull(r.scheduled_for),
    attempt: Number(r.attempt),
    currentStep: (r.current_step as string | null) ?? null,
    context: json(r.context) ?? { steps: {} },
    error: json(r.error) ?? null,
    availableAt: date(r.available_at),
    leaseOwner: (r.lease_owner as string | null) ?? null,
    leaseExpiresAt: dateOrNull(r.lease_expires_at),
    fencingToken: numOrNull(r.fencing_token),
    replayOf: (r.replay_of as string | null) ?? null,
    createdAt: date(r.created_at),
    startedAt: dateOrNull(r.started_at),
    finishedAt: dateOrNull(r.finished_at),
  };
}

export function toJob(r: Row): Job {
  return {
    id: String(r.id),
    name: String(r.name),
    enabled: Boolean(r.enabled),
    version: Number(r.version),
    definition: json<JobDefinition>(r.definition),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export function toStepAttempt(r: Row): StepAttempt {
  return {
    executionId: String(r.execution_id),
    stepId: String(r.step_id),
    attempt: Number(r.attempt),
    status: r.status as StepAttempt['status'],
    fencingToken: Number(r.fencing_token),
    startedAt: date(r.started_at),
    finishedAt: dateOrNull(r.finished_at),
    error: json(r.error) ?? null,
    retryDelayMs: numOrNull(r.retry_delay_ms),
  };
}

export function toStepLogLine(r: Row): StoredStepLogLine {
  return {
    id: Number(r.line_id),
    executionId: String(r.execution_id),
    stepId: String(r.step_id),
    attempt: Number(r.attempt),
    seq: Number(r.seq),
    at: date(r.at),
    level: String(r.level) as StepLogLevel,
    message: String(r.message),
    fields: r.fields === null || r.fields === undefined ? null : json<Record<string, unknown>>(r.fields),
  };
}

export function toLedgerEntry(r: Row): LedgerEntry {
  return {
    jobId: String(r.job_id),
    fireAt: date(r.fire_at),
    outcome: r.outcome as LedgerEntry['outcome'],
    reason: (r.reason as string | null) ?? null,
    executionId: (r.execution_id as string | null) ?? null,
    recordedAt: date(r.recorded_at),
  };
}

export function toStoredVariable(r: Row): StoredVariable {
  return { scope: String(r.scope), name: String(r.name), value: String(r.value), sensitive: Boolean(r.sensitive), updatedAt: date(r.updated_at) };
}
