import { readFileSync, writeFileSync } from 'node:fs';
import { validateJobDefinition, ValidationError } from '@vecron/sdk';
import type { SqlClient } from '@vecron/sdk';
import type { Logger } from 'pino';
import { auditKeysOf, createAuditLog, parseAuditCheckpoint } from '../audit/audit-log.js';
import { reencryptSecrets } from '../secrets/reencrypt.js';
import { attachServerSchema } from '../store/schema/index.js';
import { createAgreedSecretBox } from '../cluster/agreed-key.js';
import { liveProcesses } from '../cluster/registry.js';
import type { ServerConfig } from '../config/config-schema.js';
import { buildCronSystem, defaultExecutors } from '../runtime/build-system.js';
import type { BuiltSystem } from '../runtime/build-system.js';
import { resolveEncryptionKeys } from '../runtime/keys.js';
import { exportDocument, importJobs, itemsOf } from '../transfer/transfer.js';
import { convertAndValidate, convertSources } from './convert.js';
import type { ConvertOptions, SourceFormat } from './convert.js';

/** Output of a one-shot command: lines to print and the exit code. */
export interface CommandResult {
  lines: string[];
  code: number;
  /** Lines for stderr (reports that must not mix with data on stdout). */
  errorLines?: string[];
}

const readJson = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ValidationError(file, [{ path: '$', message: `cannot read JSON: ${(err as Error).message}` }]);
  }
};

/** Runs `fn` with a cron system (storage opened, roles not started), then closes it. */
async function withSystem<T>(config: ServerConfig, logger: Logger, fn: (s: Awaited<ReturnType<typeof buildCronSystem>>) => Promise<T>): Promise<T> {
  const built = await buildCronSystem(config, { logger });
  try {
    return await fn(built);
  } finally {
    await built.cron.stop();
    await built.close();
  }
}

/**
 * `vecron migrate`: opens the store, which applies the core's pending migrations, then applies
 * the server's (owner `vecron-server`), all under one advisory lock; lists what is applied.
 */
export async function migrateCommand(config: ServerConfig, logger: Logger): Promise<CommandResult> {
  return withSystem(config, logger, async ({ storage }) => {
    await attachServerSchema(storage);
    const applied = await storage.listMigrations();
    const owners = [...new Set(applied.map((m) => m.owner))];
    return {
      lines: owners.map((owner) => `schema ${owner} up to date: ${applied.filter((m) => m.owner === owner).map((m) => `${String(m.id).padStart(4, '0')}_${m.name}`).join(', ')}`),
      code: 0,
    };
  });
}

/** The SQL client of the server's own tables, migrated if needed. */
const serverSql = (built: BuiltSystem): Promise<SqlClient> => attachServerSchema(built.storage);

/** `vecron jobs validate [--from seed|quartz [--map MAP.json]] FILE…`: every item checked offline (schema, step types, step references). */
export function validateCommand(config: ServerConfig, file: string | readonly string[], from?: SourceFormat, options: ConvertOptions = {}): CommandResult {
  const executors = defaultExecutors(config);
  const files = typeof file === 'string' ? [file] : file;
  const lines: string[] = [];
  const errorLines: string[] = [];
  let bad = 0;
  const items: Array<{ file: string; item: unknown; index: number }> = [];
  if (from) {
    const read = convertSources(files, from, options);
    errorLines.push(...read.changes.map((c) => `changed ${c}`));
    for (const e of read.errors) lines.push(`error ${e}`);
    bad += read.errors.length;
    const seen = new Map<string, number>();
    for (const d of read.definitions) {
      const index = seen.get(d.file) ?? 0;
      seen.set(d.file, index + 1);
      items.push({ file: d.file, item: d.definition, index });
    }
  } else {
    for (const f of files) for (const [index, item] of itemsOf(readJson(f)).entries()) items.push({ file: f, item, index });
  }
  for (const { file: f, item, index: i } of items) {
    const where = files.length > 1 ? `${f} ` : '';
    // The one validation the API and the SDK use; offline, so calendars and stored variables are not checked.
    const r = validateJobDefinition(item, { executors });
    if (r.valid) {
      lines.push(`ok    ${where}[${i}] ${r.definition!.name}`);
      for (const w of r.warnings) lines.push(`  warn  ${w.path}: ${w.message}`);
    } else {
      bad += 1;
      lines.push(`error ${where}[${i}] ${(item as { name?: string })?.name ?? '(no name)'}`);
      for (const issue of r.issues) lines.push(`        ${issue.path}: ${issue.message}`);
    }
  }
  return { lines, code: bad ? 1 : 0, errorLines };
}

/**
 * `vecron jobs convert --from seed|quartz [--map MAP.json] FILE…`: the converted, validated definitions as one JSON array on
 * stdout; each change (file, JSON path, what) and each error on stderr; exit 1 when any item failed.
 */
export function convertCommand(config: ServerConfig, files: readonly string[], from: SourceFormat, options: ConvertOptions = {}): CommandResult {
  const r = convertAndValidate(files, from, defaultExecutors(config), options);
  const errorLines = [...r.changes.map((c) => `changed ${c}`), ...r.errors.map((e) => `error   ${e}`)];
  if (r.errors.length) return { lines: [], errorLines, code: 1 };
  errorLines.push(`converted ${r.definitions.length} job(s) from ${files.length} file(s), ${r.changes.length} change(s)`);
  return { lines: [JSON.stringify(r.definitions, null, 2)], errorLines, code: 0 };
}

/** `vecron jobs import [--from seed] FILE…`: upsert by name; per-item results. A file that does not convert imports nothing. */
export async function importCommand(config: ServerConfig, logger: Logger, file: string | readonly string[], from?: SourceFormat, options: ConvertOptions = {}): Promise<CommandResult> {
  const files = typeof file === 'string' ? [file] : file;
  let items: unknown[];
  const errorLines: string[] = [];
  if (from) {
    const read = convertSources(files, from, options);
    errorLines.push(...read.changes.map((c) => `changed ${c}`));
    if (read.errors.length) return { lines: read.errors.map((e) => `error ${e}`), errorLines, code: 1 };
    items = read.definitions.map((d) => d.definition);
  } else items = files.flatMap((f) => itemsOf(readJson(f)));
  return withSystem(config, logger, async ({ cron }) => {
    const results = await importJobs(cron, items, { mode: 'upsert', dryRun: false });
    const lines = results.map((r) => `${r.status.padEnd(7)} [${r.index}] ${r.name ?? '(no name)'}${r.error ? `: ${r.error.message}` : ''}${r.error?.issues ? `\n${r.error.issues.map((x) => `        ${x.path}: ${x.message}`).join('\n')}` : ''}`);
    return { lines, errorLines, code: results.some((r) => r.status === 'error') ? 1 : 0 };
  });
}

/** `vecron jobs export FILE`: every job, secrets masked. */
export async function exportCommand(config: ServerConfig, logger: Logger, file: string): Promise<CommandResult> {
  return withSystem(config, logger, async ({ cron }) => {
    const doc = await exportDocument(cron);
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    return { lines: [`exported ${doc.jobs.length} jobs to ${file}`], code: 0 };
  });
}

/** `vecron audit verify [--checkpoint FILE]`: walks the keyed hash chain (and checks it against a kept checkpoint); exit 1 when broken. */
export async function auditVerifyCommand(config: ServerConfig, logger: Logger, checkpointFile?: string): Promise<CommandResult> {
  const checkpoint = checkpointFile ? parseAuditCheckpoint(readJson(checkpointFile)) : undefined;
  return withSystem(config, logger, async (built) => {
    const r = await createAuditLog(await serverSql(built), { keys: auditKeysOf(resolveEncryptionKeys(config)) }).verify(checkpoint);
    return r.ok
      ? { lines: [`audit chain intact: ${r.checked} records${checkpoint ? ` (checkpoint of ${checkpoint.at}: ${checkpoint.count} records, matches)` : ''}`], code: 0 }
      : { lines: [`audit chain BROKEN${r.first_bad_seq === null ? '' : ` at record ${r.first_bad_seq}`}: ${r.reason} (${r.checked} records verified before it)`], code: 1 };
  });
}

/** `vecron audit checkpoint [FILE]`: signs the chain's head (count and hash) for operators to keep elsewhere. */
export async function auditCheckpointCommand(config: ServerConfig, logger: Logger, file?: string): Promise<CommandResult> {
  return withSystem(config, logger, async (built) => {
    const c = await createAuditLog(await serverSql(built), { keys: auditKeysOf(resolveEncryptionKeys(config)) }).checkpoint();
    const text = `${JSON.stringify(c, null, 2)}\n`;
    if (!file) return { lines: [text.trimEnd()], code: 0 };
    writeFileSync(file, text, { mode: 0o600 });
    return { lines: [`audit checkpoint written to ${file}: ${c.count} records, head ${c.head_hash}`], code: 0 };
  });
}


/**
 * `vecron scheduler-pause [REASON]`, `vecron scheduler-resume`, `vecron scheduler-status`: the
 * cluster-wide scheduler pause, straight in the database (no API process needed), audited as
 * actor `cli`.
 */
export async function schedulerPauseCommand(config: ServerConfig, logger: Logger, action: 'pause' | 'resume' | 'status', reason?: string): Promise<CommandResult> {
  return withSystem(config, logger, async (built) => {
    const { cron } = built;
    const audit = createAuditLog(await serverSql(built), { keys: auditKeysOf(resolveEncryptionKeys(config)) });
    const record = (what: string, details: Record<string, unknown>): Promise<unknown> =>
      audit.append({ actorId: null, actor: 'cli', action: what, resource: 'scheduler', ip: null, result: 'ok', details });
    if (action === 'pause') {
      const p = await cron.maintenance.pause({ by: 'cli', ...(reason ? { reason } : {}) });
      await record('scheduler.pause', { reason: p.reason });
      return { lines: [`schedulers paused since ${p.since.toISOString()}${p.by ? ` by ${p.by}` : ''}${p.reason ? `: ${p.reason}` : ''}`], code: 0 };
    }
    if (action === 'resume') {
      await cron.maintenance.resume();
      await record('scheduler.resume', {});
      return { lines: ['schedulers resumed'], code: 0 };
    }
    const p = await cron.maintenance.status();
    return { lines: [p ? `paused since ${p.since.toISOString()}${p.by ? ` by ${p.by}` : ''}${p.reason ? `: ${p.reason}` : ''}` : 'running'], code: 0 };
  });
}

/** `vecron secrets reencrypt [--dry-run]`: every stored secret under the current encryption key, with a per-key-id report. */
export async function reencryptCommand(config: ServerConfig, logger: Logger, dryRun: boolean): Promise<CommandResult> {
  return withSystem(config, logger, async (built) => {
    const sql = await serverSql(built);
    // Re-encrypts to the newest key every live process can decrypt, never ahead of them.
    const box = createAgreedSecretBox(resolveEncryptionKeys(config));
    const live = await liveProcesses({ sql, storage: built.storage });
    box.agree(live.map((p) => p.fingerprint.encryption_key_ids));
    const lines: string[] = [];
    if (box.keyId !== box.preferredKeyId) {
      const unaware = live.filter((p) => !p.fingerprint.encryption_key_ids.includes(box.preferredKeyId)).map((p) => `${p.role} ${p.id}`);
      lines.push(`encryption_key ${box.preferredKeyId} is unknown to live process(es) ${unaware.join(', ')}: using ${box.keyId}, the newest key every live process can decrypt`);
    }
    const r = await reencryptSecrets({ storage: built.storage, sql }, box, { dryRun });
    lines.push(`current key ${r.currentKeyId}${dryRun ? ' (dry run: nothing written)' : ''}`);
    for (const [keyId, n] of Object.entries(r.byKeyId).sort()) lines.push(`  key ${keyId}: ${n.variables} sensitive variable(s), ${n.webhook_secrets} webhook secret(s)${keyId === r.currentKeyId ? ' (current)' : ''}`);
    lines.push(`${dryRun ? 'would re-encrypt' : 're-encrypted'}: ${r.reencrypted.variables} variable(s), ${r.reencrypted.webhook_secrets} webhook secret(s)`);
    if (r.skippedConcurrentChanges) lines.push(`changed meanwhile, run again: ${r.skippedConcurrentChanges}`);
    for (const f of r.failed) lines.push(`cannot decrypt ${f.what} (key ${f.keyId}): ${f.error}`);
    return { lines, code: r.failed.length || r.skippedConcurrentChanges || box.keyId !== box.preferredKeyId ? 1 : 0 };
  });
}

/** Options of `vecron purge`. */
export interface PurgeCommandOptions {
  dryRun: boolean;
  /** A job id or name. */
  job?: string | undefined;
  olderThanDays?: number | undefined;
  keepLast?: number | undefined;
}

/**
 * `vecron purge [--dry-run] [--job ID|NAME] [--older-than DAYS] [--keep-last N]`: one retention
 * pass now (docs/operations.md#retention), in the same small batches as the scheduler's loop,
 * printing what it deleted per kind. Without `--older-than` / `--keep-last` the configured
 * `[retention]` rules and the jobs' own apply; with them, those rules apply to every job (or the
 * one named). A dry run deletes nothing. Audited as actor `cli`.
 */
export async function purgeCommand(config: ServerConfig, logger: Logger, options: PurgeCommandOptions): Promise<CommandResult> {
  return withSystem(config, logger, async (built) => {
    const { cron } = built;
    let jobId: string | undefined;
    if (options.job !== undefined) {
      const job = (await cron.jobs.get(options.job)) ?? (await cron.jobs.getByName(options.job));
      if (!job) return { lines: [], errorLines: [`vecron purge: no job with id or name "${options.job}"`], code: 1 };
      jobId = job.id;
    }
    const counts = await cron.maintenance.purge({
      dryRun: options.dryRun,
      ...(jobId ? { jobId } : {}),
      ...(options.olderThanDays !== undefined ? { maxAgeDays: options.olderThanDays } : {}),
      ...(options.keepLast !== undefined ? { keepLast: options.keepLast } : {}),
    });
    if (!options.dryRun) {
      const audit = createAuditLog(await serverSql(built), { keys: auditKeysOf(resolveEncryptionKeys(config)) });
      await audit.append({ actorId: null, actor: 'cli', action: 'retention.purge', resource: jobId ? `job:${jobId}` : 'executions', ip: null, result: 'ok', details: { ...counts, older_than_days: options.olderThanDays ?? null, keep_last: options.keepLast ?? null } });
    }
    const verb = options.dryRun ? 'would delete' : 'deleted';
    return {
      lines: [
        `${verb} executions: ${counts.executions} (with their step attempts and step logs)`,
        `${verb} ledger rows: ${counts.ledger}`,
        options.dryRun ? 'files: not counted in a dry run (one folder per execution, where it has files)' : `deleted file folders: ${counts.files}`,
      ],
      code: 0,
    };
  });
}
