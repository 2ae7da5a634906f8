import { z } from 'zod';
import { ValidationError } from '../errors/errors.js';
import { zodIssues } from '../errors/zod-issues.js';
import { scheduleSchema, misfirePolicySchema } from '../schedule/schedule-schema.js';

/** What a fire does while another execution of the same job is open. */
export const OVERLAP_POLICIES = ['allow', 'forbid', 'queue_one', 'queue_all', 'cancel_other'] as const;

/** Step ids are referenced from templates (`{{steps.<id>.output…}}`) and file paths. */
const stepIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must start with a letter or digit and contain only letters, digits, "_" and "-"');

/** Variable names as they appear in `${NAME}`. */
export const variableNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must match [A-Za-z_][A-Za-z0-9_]*');

/** One step of a job (docs/architecture.md#the-job-format). `config` is validated by the step type's executor. */
export const stepSchema = z
  .object({
    id: stepIdSchema,
    name: z.string().max(200).optional(),
    type: z.string().min(1, 'is required'),
    config: z.record(z.string(), z.unknown()).default({}),
    /** Per-attempt timeout of this step. */
    timeout_seconds: z.number().positive().max(7 * 86_400).nullish(),
    /** Retries of this step before the execution fails; defaults to the job's `max_retries`. */
    retry_count: z.number().int().min(0).max(100).nullish(),
    /** `stop` fails the execution; `continue` records the failure and goes on with the next step. */
    on_failure: z.enum(['stop', 'continue']).default('stop'),
    /** A template; the step runs only when it renders truthy (not '', 'false', '0', null, false, 0). */
    condition: z.string().nullish(),
  })
  .strict();

/** HMAC-verified webhook trigger settings. */
export const webhookTriggerSchema = z
  .object({
    enabled: z.boolean().default(false),
    secret_key: z.string().min(16, 'must be at least 16 characters').optional(),
    rate_limit: z
      .object({ max_requests: z.number().int().positive(), window_seconds: z.number().int().positive() })
      .strict()
      .optional(),
  })
  .strict();

/** How a job may be started. */
export const triggersSchema = z
  .object({
    scheduled: z.boolean().default(true),
    manual: z.boolean().default(true),
    webhook: webhookTriggerSchema.optional(),
  })
  .strict();

/**
 * A job's own retention (docs/operations.md#retention): each field set here wins over the system's
 * policy for this job; a field left out falls back to it. Open executions and unhandled dead
 * letters are never deleted.
 */
export const jobRetentionSchema = z
  .object({
    /** Finished executions (with their step attempts, logs and files) older than this many days are deleted. */
    max_age_days: z.number().positive().max(36_500).optional(),
    /** Only the newest this many finished executions are kept. */
    keep_last: z.number().int().min(1).max(10_000_000).optional(),
    /** Fire-ledger rows (skipped and missed instants) older than this many days are deleted; a fired instant is listed from its execution and goes with it. */
    ledger_max_age_days: z.number().positive().max(36_500).optional(),
  })
  .strict();

/** The job definition, the wire and storage format (snake_case JSON, docs/architecture.md#the-job-format). */
export const jobDefinitionSchema = z
  .object({
    name: z.string().min(1, 'is required').max(200).regex(/^[^\s].*[^\s]$|^[^\s]$/, 'must not start or end with spaces'),
    description: z.string().max(5000).optional(),
    enabled: z.boolean().default(true),
    tags: z.array(z.string().min(1).max(100)).max(50).default([]),
    schedule: scheduleSchema.nullable().default(null),
    triggers: triggersSchema.default({ scheduled: true, manual: true }),
    steps: z.array(stepSchema).min(1, 'a job needs at least one step').max(200),
    timeout_seconds: z.number().positive().max(30 * 86_400).nullish(),
    max_retries: z.number().int().min(0).max(100).default(3),
    allow_concurrent: z.boolean().default(true),
    /**
     * What a fire does while another execution of the job is open. `allow`: run side by side;
     * `forbid`: skip it (recorded); `queue_one`: keep at most one waiting; `queue_all`: queue every
     * fire, run one at a time in order; `cancel_other`: cancel the open one and run the new one.
     * Default: `allow`, or `forbid` when `allow_concurrent` is false.
     */
    overlap_policy: z.enum(OVERLAP_POLICIES).optional(),
    misfire_policy: misfirePolicySchema.default('fire_once'),
    /**
     * Catch-up after downtime, overriding `misfire_policy`: `all` runs every missed fire (at most
     * `max_catchup`), `last` runs the latest one, `none` runs none; fires older than
     * `window_seconds` are recorded as missed (downtime beyond the window) whatever the policy.
     */
    catchup: z
      .object({
        policy: z.enum(['all', 'last', 'none']),
        max_catchup: z.number().int().min(1).max(10_000).default(100),
        window_seconds: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    /** Delays each scheduled start by a deterministic amount in [0, jitter_seconds) (hash of job and fire time). */
    jitter_seconds: z.number().min(0).max(86_400).optional(),
    variables: z.record(variableNameSchema, z.string()).default({}),
    /** How long this job's history is kept, overriding the system's retention field by field. */
    retention: jobRetentionSchema.optional(),
  })
  .strict()
  .superRefine((job, ctx) => {
    if (job.overlap_policy === 'allow' && !job.allow_concurrent) {
      ctx.addIssue({ code: 'custom', path: ['overlap_policy'], message: '"allow" contradicts allow_concurrent: false' });
    }
    const seen = new Map<string, number>();
    job.steps.forEach((step, i) => {
      const first = seen.get(step.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${step.id}" (also steps[${first}])` });
      } else seen.set(step.id, i);
    });
  });

/** Overlap policies (issue: scheduling beyond Quartz). */
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** The overlap policy in force: explicit, or derived from `allow_concurrent`. */
export function overlapPolicyOf(def: Pick<JobDefinition, 'overlap_policy' | 'allow_concurrent'>): OverlapPolicy {
  return def.overlap_policy ?? (def.allow_concurrent ? 'allow' : 'forbid');
}

/** Whether the overlap policy in force decides from the job's open executions (`allow` and `queue_all` never look at them). */
export function overlapReadsOpenExecutions(def: Pick<JobDefinition, 'overlap_policy' | 'allow_concurrent'>): boolean {
  const policy = overlapPolicyOf(def);
  return policy !== 'allow' && policy !== 'queue_all';
}

/** A validated job definition with defaults applied. */
export type JobDefinition = z.output<typeof jobDefinitionSchema>;
/** A job's own retention settings. */
export type JobRetention = z.output<typeof jobRetentionSchema>;
/** One validated step. */
export type StepDefinition = z.output<typeof stepSchema>;

/**
 * Validates a job definition. Throws {@link ValidationError} listing every problem with its JSON
 * path (`$.steps[1].type`); never anything else for any input.
 */
export function parseJobDefinition(input: unknown): JobDefinition {
  const result = jobDefinitionSchema.safeParse(input);
  if (!result.success) throw new ValidationError('job definition', zodIssues(result.error));
  return result.data;
}

/** The JSON Schema (draft 2020-12) of the job definition, generated from the zod schema. */
export function jobDefinitionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(jobDefinitionSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
