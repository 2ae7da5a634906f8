import { isValidTimeZone } from '@vecron/sdk';
import { z } from 'zod';

const port = z.number().int().min(0).max(65_535);
const positiveInt = z.number().int().positive();
const natsSubject = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a NATS subject without wildcards (tokens of letters, digits, _ and - separated by dots)');
const urlOrEmpty = (schemes: string[]) =>
  z.string().refine((v) => v === '' || v.split(',').every((u) => schemes.some((s) => u.trim().startsWith(`${s}://`))), {
    message: `must be empty or a ${schemes.join('/')}:// URL`,
  });

const emailAddress = z.email();

/** `[alerts.email]`: the SMTP notifier. Every other key is required only when `enabled`. */
export const alertEmailSchema = z
  .object({
    /** @default false */
    enabled: z.boolean(),
    /** SMTP host. @default "" */
    host: z.string(),
    /** @default 587 */
    port,
    /** TLS from the first byte (SMTPS, port 465). @default false */
    secure: z.boolean(),
    /** STARTTLS when not `secure`: required | opportunistic | off. @default "required" */
    starttls: z.enum(['required', 'opportunistic', 'off']),
    /** PEM file of extra CA certificates trusted for the SMTP server. @default "" */
    ca_file: z.string(),
    /** AUTH user; empty = no AUTH. @default "" */
    username: z.string(),
    /** AUTH password, or `${ENV_VAR}` to read it from the environment at start-up. @default "" */
    password: z.string(),
    /** Sender address. @default "" */
    from: z.string(),
    /** Recipient addresses. @default [] */
    to: z.array(emailAddress),
    /** Deadline of one send (connect, greeting, AUTH, DATA). @default 10 */
    timeout_seconds: positiveInt.max(300),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (!e.enabled) return;
    if (!e.host) ctx.addIssue({ code: 'custom', path: ['host'], message: 'is required when alerts.email.enabled is true' });
    if (!emailAddress.safeParse(e.from.replace(/^.*<([^>]+)>\s*$/, '$1')).success) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be an e-mail address ("ops@example.com" or "vecron <ops@example.com>") when alerts.email.enabled is true' });
    if (!e.to.length) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must list at least one recipient when alerts.email.enabled is true' });
    if (e.password && !e.username) ctx.addIssue({ code: 'custom', path: ['username'], message: 'is required when a password is set' });
  });

const absolutePath = z.string().min(1).refine((p) => p.startsWith('/'), 'must be an absolute path');

/** A named database connection of `[executors]`, referenced by a database step's `"connection": "<name>"`. */
export const databaseConnectionSchema = z
  .object({
    database_type: z.enum(['postgresql', 'mysql', 'oracle']),
    /** URL, or `${ENV_VAR}` to read it (with its password) from the environment at start-up. */
    connection_string: z.string().min(1),
    pool_max: positiveInt.max(1_000).optional(),
    statement_timeout_ms: positiveInt.optional(),
  })
  .strict();

/** `[executors]`: how the built-in step executors are configured on this server. */
export const executorsSchema = z
  .object({
    /**
     * Outbound policy (SSRF guard) of HTTP, database and SFTP steps: refuse private, loopback,
     * link-local and metadata addresses unless the host is in `allow_hosts`. @default true
     */
    block_private_addresses: z.boolean(),
    /** Hosts steps may reach although they are private: names, IP literals or `*.suffix`. @default [] */
    allow_hosts: z.array(z.string().min(1)),
    /** Named database connections (name → connection). @default {} */
    database_connections: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'connection names use letters, digits, _ . -'), databaseConnectionSchema),
    /** Absolute folders SFTP steps may read `auth.private_key_path` from. @default [] */
    sftp_private_key_dirs: z.array(absolutePath),
    /** Pinned SFTP host keys: `host:port` → `SHA256:…` fingerprint(s). @default {} */
    sftp_known_hosts: z.record(z.string().min(1), z.union([z.string().regex(/^SHA256:/, 'must be a SHA256:… fingerprint'), z.array(z.string().regex(/^SHA256:/, 'must be a SHA256:… fingerprint')).min(1)])),
    /** Absolute folders file steps may use besides the execution's file area. @default [] */
    file_allowed_roots: z.array(absolutePath),
  })
  .strict();

/** The server configuration, after layering `default.toml` → `local.toml` → `VECRON__SECTION__KEY`. */
export const serverConfigSchema = z
  .object({
    api: z
      .object({
        /** @default "127.0.0.1" */
        host: z.string().min(1),
        /** @default 3000 */
        port,
        /** @default 1048576 */
        body_limit_bytes: positiveInt.max(64 * 1024 * 1024),
        /** @default 0 */
        trust_proxy_hops: z.number().int().min(0).max(10),
        /** @default "" */
        public_url: z.string(),
      })
      .strict(),
    storage: z
      .object({
        database_url: urlOrEmpty(['postgres', 'postgresql']),
        data_dir: z.string(),
        schema: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lowercase SQL identifier'),
        /** Most PostgreSQL connections of this process. @default 10 */
        pool_max: positiveInt.max(1_000),
        /** Server-side statement_timeout of every PostgreSQL connection (ms, 0 = none). @default 30000 */
        statement_timeout_ms: z.number().int().min(0).max(3_600_000),
        /** Named prepared statements for the hot per-execution statements (storage and PostgreSQL queue). @default true */
        prepared_statements: z.boolean(),
      })
      .strict(),
    queue: z
      .object({
        nats_servers: urlOrEmpty(['nats', 'tls']),
        /** JetStream work-queue stream. @default "VECRON_WORK" */
        stream: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a JetStream stream name (letters, digits, _ and -)'),
        /** Subject of execution messages (the stream's only subject). @default "vecron.work" */
        subject: natsSubject,
        /** Durable pull consumer shared by every worker. @default "vecron-workers" */
        consumer: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a consumer name (letters, digits, _ and -)'),
        /** NATS core subject of the cross-process event bridge (SSE). @default "vecron.events" */
        events_subject: natsSubject,
        /** A delivered message neither acked nor marked in progress within this is delivered again (ms). @default 30000 */
        ack_wait_ms: z.number().int().min(1_000).max(3_600_000),
        /** Deliveries of one message before it goes to the dead-letter stream. @default 100 */
        max_deliver: z.number().int().min(2).max(100_000),
        /** JetStream de-duplication window of a publish (ms). @default 10000 */
        duplicate_window_ms: z.number().int().min(100).max(3_600_000),
      })
      .strict()
      .refine((q) => q.events_subject !== q.subject && !q.events_subject.startsWith(`${q.subject}.`), {
        message: 'must not be the work subject or below it (the work stream would capture the events)',
        path: ['events_subject'],
      }),
    coordination: z
      .object({
        redis_url: urlOrEmpty(['redis', 'rediss']),
        /** Prefix of every Redis key and channel. @default "vecron:" */
        key_prefix: z.string().max(100),
      })
      .strict(),
    scheduler: z
      .object({
        timezone: z.string().refine(isValidTimeZone, 'is not an IANA time zone'),
        poll_interval_ms: z.number().int().min(10).max(60_000),
        misfire_threshold_ms: z.number().int().min(0),
        /** How often pending executions and expired leases are (re)published (ms). @default 1000 */
        dispatch_interval_ms: z.number().int().min(10).max(60_000),
        /** A pending execution not started this long after its publish is published again (ms). @default 30000 */
        republish_after_ms: z.number().int().min(100).max(3_600_000),
      })
      .strict(),
    worker: z
      .object({
        concurrency: positiveInt.max(1_000),
        lease_ms: z.number().int().min(100).max(3_600_000),
        /** Lease renewal interval (ms); 0 = min(2000, lease_ms / 3). @default 0 */
        heartbeat_ms: z.number().int().min(0).max(3_600_000),
        shutdown_grace_ms: z.number().int().min(0),
        /** Keep step log lines (ctx.logger) at this level and above; "off" keeps none. @default "info" */
        step_log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'off']),
        /** Most step log lines kept per step attempt (then one "truncated" line). @default 1000 */
        step_log_max_lines: positiveInt.max(1_000_000),
        /** Most step log bytes (message and fields) kept per step attempt. @default 1048576 */
        step_log_max_bytes: z.number().int().min(1024).max(1_073_741_824),
      })
      .strict(),
    retention: z
      .object({
        /** Run the retention loop in the scheduler role (`vecron purge` uses the rules below either way). @default false */
        enabled: z.boolean(),
        /** Delete finished executions (with step attempts, logs and files) older than this many days; 0 = keep forever. @default 90 */
        max_age_days: z.number().min(0).max(36_500),
        /** Keep only the newest this many finished executions per job; 0 = no count limit. @default 0 */
        keep_last: z.number().int().min(0).max(10_000_000),
        /** Delete fire-ledger rows older than this many days; 0 = as max_age_days. @default 0 */
        ledger_max_age_days: z.number().min(0).max(36_500),
        /** Pause between two retention passes (ms). @default 60000 */
        interval_ms: z.number().int().min(1_000).max(86_400_000),
        /** Rows one retention statement deletes at most. @default 500 */
        batch_size: positiveInt.max(10_000),
        /** Pause between two batches of a pass (ms). @default 50 */
        pause_ms: z.number().int().min(0).max(60_000),
      })
      .strict(),
    security: z
      .object({
        encryption_key: z.string(),
        previous_encryption_keys: z.array(z.string().min(1)),
      })
      .strict(),
    auth: z
      .object({
        issuer: z.string().min(1),
        audience: z.string().min(1),
        algorithm: z.enum(['ES256', 'RS256', 'EdDSA']),
        token_ttl_seconds: positiveInt.max(7 * 86_400),
        /** Signing keys (`private_key_pem`) and verify-only keys (`public_key_pem`); the first private key signs, all verify. */
        keys: z
          .array(z.union([
            z.object({ kid: z.string().min(1), private_key_pem: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }) }).strict(),
            z.object({ kid: z.string().min(1), public_key_pem: z.string().includes('PUBLIC KEY', { message: 'must be a PEM public key' }) }).strict(),
          ]))
          .refine((ks) => ks.length === 0 || ks.some((k) => 'private_key_pem' in k), { message: 'needs at least one key with private_key_pem (the one that signs); public_key_pem keys only verify' })
          .refine((ks) => new Set(ks.map((k) => k.kid)).size === ks.length, { message: 'has the same kid twice' }),
        initial_admin_username: z.string().min(1).max(100),
        initial_admin_password: z.string().refine((v) => v === '' || v.length >= 12, 'must be empty (generate one) or at least 12 characters'),
        login_max_per_ip: positiveInt,
        login_max_per_user: positiveInt,
        login_window_seconds: positiveInt,
        login_slow_after_per_user: positiveInt,
        login_slow_ms: z.number().int().min(0).max(30_000),
        session_check_ms: z.number().int().min(100).max(60_000),
      })
      .strict(),
    webhooks: z
      .object({
        max_body_bytes: positiveInt.max(64 * 1024 * 1024),
        tolerance_seconds: positiveInt.max(3_600),
        default_max_requests: positiveInt,
        default_window_seconds: positiveInt,
        rotation_grace_seconds: z.number().int().min(0),
        legacy_signatures: z.boolean(),
        failure_max_per_ip: positiveInt,
        failure_max_per_endpoint: positiveInt,
        failure_window_seconds: positiveInt,
      })
      .strict(),
    metrics: z.object({ enabled: z.boolean(), host: z.string().min(1), port }).strict(),
    tracing: z
      .object({
        exporter: z.enum(['none', 'console', 'otlp']),
        otlp_endpoint: z.url(),
        service_name: z.string().min(1),
      })
      .strict(),
    alerts: z
      .object({
        consecutive_failures: z.number().int().min(1).max(1_000),
        group_wait_seconds: z.number().int().min(0).max(3_600),
        group_window_seconds: z.number().int().min(0).max(86_400),
        on_missed_fire: z.boolean(),
        on_dead_letter: z.boolean(),
        webhook_urls: z.array(z.url()),
        webhook_secret: z.string(),
        /** E-mail notifier over SMTP (`[alerts.email]`), off by default. */
        email: alertEmailSchema,
      })
      .strict(),
    log: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) }).strict(),
    executors: executorsSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    const heartbeat = effectiveHeartbeatMs(c.worker);
    if (c.worker.heartbeat_ms > 0 && c.worker.heartbeat_ms >= c.worker.lease_ms) {
      ctx.addIssue({ code: 'custom', path: ['worker', 'heartbeat_ms'], message: `must be below worker.lease_ms (${c.worker.lease_ms}): the lease would expire between two renewals` });
    }
    if (c.queue.ack_wait_ms <= heartbeat) {
      ctx.addIssue({ code: 'custom', path: ['queue', 'ack_wait_ms'], message: `must be above the worker heartbeat (${heartbeat} ms): NATS would deliver a running execution's message again` });
    }
    if (c.queue.duplicate_window_ms >= c.scheduler.republish_after_ms) {
      ctx.addIssue({ code: 'custom', path: ['queue', 'duplicate_window_ms'], message: `must be below scheduler.republish_after_ms (${c.scheduler.republish_after_ms}): a re-publish of a lost message would be dropped as a duplicate` });
    }
  });

/** The interval at which a worker renews its leases: `worker.heartbeat_ms`, or min(2000, lease_ms / 3) when it is 0. */
export function effectiveHeartbeatMs(worker: { lease_ms: number; heartbeat_ms: number }): number {
  return worker.heartbeat_ms > 0 ? worker.heartbeat_ms : Math.max(50, Math.min(2_000, Math.floor(worker.lease_ms / 3)));
}

/** Validated server configuration. */
export type ServerConfig = z.output<typeof serverConfigSchema>;

/** A partial configuration, as a test or an embedding host passes overrides. */
export type ServerConfigOverrides = { [S in keyof ServerConfig]?: Partial<ServerConfig[S]> };
