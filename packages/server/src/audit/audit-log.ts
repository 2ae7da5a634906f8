import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { ConfigError, ValidationError } from '@vecron/sdk';
import type { SecretBoxKeys, SecretKeyInput } from '@vecron/sdk/crypto';
import type { SqlClient } from '@vecron/sdk';

/** One audit record as written. */
export interface AuditEntry {
  /** User id, or null for anonymous callers and the system. */
  actorId: string | null;
  /** Username, `anonymous`, or `system`. */
  actor: string;
  /** What was attempted, e.g. `job.create`, `auth.login`, `webhook.receive`. */
  action: string;
  /** The resource, e.g. `job:3f…`, or null. */
  resource: string | null;
  ip: string | null;
  /** `ok`, `denied` or an error code. */
  result: string;
  details?: Record<string, unknown>;
}

/** A stored audit record. */
export interface AuditRecord {
  seq: number;
  at: string;
  actor_id: string | null;
  actor: string;
  action: string;
  resource: string | null;
  ip: string | null;
  result: string;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** Outcome of {@link AuditLog.verify}. */
export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** First record whose link or hash does not match. */
  first_bad_seq: number | null;
  reason: string | null;
}

const GENESIS = '0'.repeat(64);
const LOCK_KEY = 7_260_601_302;

/** JSON with object keys sorted at every level: jsonb does not keep key order. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
}

const recordBody = (r: Omit<AuditRecord, 'hash' | 'prev_hash'>): string =>
  canonicalJson({ seq: r.seq, at: r.at, actor_id: r.actor_id, actor: r.actor, action: r.action, resource: r.resource, ip: r.ip, result: r.result, details: r.details });

/**
 * Legacy, unkeyed link: hash = sha256(prev_hash "\n" canonical(record without hashes)). Anyone
 * who can write the table can recompute it; records written since the chain is keyed use
 * {@link auditMac} instead.
 */
export function auditHash(prevHash: string, r: Omit<AuditRecord, 'hash' | 'prev_hash'>): string {
  return createHash('sha256').update(`${prevHash}\n${recordBody(r)}`).digest('hex');
}

/** The 32 bytes of an encryption key given as bytes, hex or base64 (so each form derives the same audit key). */
function keyBytes(k: SecretKeyInput): Buffer {
  if (k instanceof Uint8Array) return Buffer.from(k);
  if (/^[0-9a-fA-F]{64}$/.test(k)) return Buffer.from(k, 'hex');
  const b = Buffer.from(k, 'base64');
  return b.length === 32 ? b : Buffer.from(k, 'utf8');
}

/** One key of the audit chain: its id (stored in each hash) and the HMAC key. */
export interface AuditKey {
  kid: string;
  key: Buffer;
}

/**
 * The audit chain key derived from an encryption key (HKDF-SHA256, its own purpose string, so it
 * is never the key that encrypts variables). Its id is the first 12 hex digits of its SHA-256.
 */
export function deriveAuditKey(encryptionKey: SecretKeyInput): AuditKey {
  const key = Buffer.from(hkdfSync('sha256', keyBytes(encryptionKey), 'vecron-audit', 'vecron audit chain v1', 32));
  return { kid: createHash('sha256').update(key).digest('hex').slice(0, 12), key };
}

/** The audit keys of a server's encryption keys: the current one signs, previous ones verify (rotation). */
export function auditKeysOf(keys: SecretBoxKeys): AuditKey[] {
  return [keys.current, ...(keys.previous ?? [])].map(deriveAuditKey);
}

/** Keyed link: `hmac:<kid>:<hex HMAC-SHA256(key, prev_hash "\n" canonical(record))>`. */
export function auditMac(key: AuditKey, prevHash: string, r: Omit<AuditRecord, 'hash' | 'prev_hash'>): string {
  return `hmac:${key.kid}:${createHmac('sha256', key.key).update(`${prevHash}\n${recordBody(r)}`).digest('hex')}`;
}

/** The head of the chain at some moment, signed with the audit key, for operators to keep elsewhere. */
export interface AuditCheckpoint {
  format: 'vecron.audit-checkpoint';
  version: 1;
  /** Number of records (= seq of the head record). */
  count: number;
  /** Hash of the head record. */
  head_hash: string;
  /** When the checkpoint was taken. */
  at: string;
  kid: string;
  /** hex HMAC-SHA256(key, canonical(checkpoint without mac)). */
  mac: string;
}

const checkpointMac = (key: AuditKey, c: Omit<AuditCheckpoint, 'mac'>): string => createHmac('sha256', key.key).update(canonicalJson(c)).digest('hex');
const sameHex = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Longest value kept in each audit field; longer ones are cut and marked with `…`. */
export const AUDIT_FIELD_LIMITS = { actor: 200, action: 100, resource: 300, ip: 100, result: 100, detail: 1000 } as const;
/** Control characters (C0, DEL, C1) and the line/paragraph separators: stripped so a record is one line. */
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A field as stored: control characters removed, cut to `max` characters. */
export function auditText(v: string, max: number): string {
  const clean = v.replace(CONTROL, '');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Details as stored: every string cleaned and capped, depth and size bounded. */
function auditDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return auditText(v, AUDIT_FIELD_LIMITS.detail);
    if (v === null || typeof v !== 'object') return typeof v === 'number' || typeof v === 'boolean' ? v : v === null ? null : String(v);
    if (depth >= 4) return '…';
    if (Array.isArray(v)) return v.slice(0, 50).map((x) => walk(x, depth + 1));
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).slice(0, 50).filter(([, x]) => x !== undefined).map(([k, x]) => [auditText(k, 100), walk(x, depth + 1)]));
  };
  return walk(details ?? {}, 0) as Record<string, unknown>;
}

const toRecord = (r: Record<string, unknown>): AuditRecord => ({
  seq: Number(r.seq),
  at: (r.at instanceof Date ? r.at : new Date(String(r.at))).toISOString(),
  actor_id: (r.actor_id as string | null) ?? null,
  actor: String(r.actor),
  action: String(r.action),
  resource: (r.resource as string | null) ?? null,
  ip: (r.ip as string | null) ?? null,
  result: String(r.result),
  details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
  prev_hash: String(r.prev_hash),
  hash: String(r.hash),
});

/** The append-only, keyed hash-chained audit log. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<AuditRecord>;
  list(filter: { actor?: string; action?: string; resource?: string; result?: string; from?: Date; to?: Date; limit: number; offset: number }): Promise<AuditRecord[]>;
  /**
   * Walks the whole chain; any edited, deleted or inserted row breaks it. With a checkpoint, a
   * log that lost records the checkpoint covered (truncation) or whose record at the checkpoint's
   * count has another hash fails too.
   */
  verify(checkpoint?: AuditCheckpoint): Promise<AuditVerification>;
  /** Signs the current head (count and hash) as a checkpoint. Needs a key. */
  checkpoint(): Promise<AuditCheckpoint>;
  /**
   * With a key, when the newest record is unkeyed (a log written before the chain was keyed),
   * appends a keyed `audit.keyed` record that covers the whole legacy chain. Called at start.
   */
  ensureKeyed(): Promise<void>;
}

/** Options of {@link createAuditLog}. */
export interface AuditLogOptions {
  now?: () => Date;
  /**
   * Audit keys (derive them with {@link deriveAuditKey}): the first signs new records, all verify
   * (rotation). Without keys, records are linked with the legacy unkeyed hash.
   */
  keys?: AuditKey[];
}

/** Creates the audit log over the vecron database (table `vecron_audit_log`, server schema `store/schema/`). */
export function createAuditLog(db: SqlClient, options: AuditLogOptions | (() => Date) = {}): AuditLog {
  const o: AuditLogOptions = typeof options === 'function' ? { now: options } : options;
  const now = o.now ?? (() => new Date());
  const keys = o.keys ?? [];
  const signer = keys[0];
  const byKid = new Map(keys.map((k) => [k.kid, k]));
  const link = (prevHash: string, r: Omit<AuditRecord, 'hash' | 'prev_hash'>): string => (signer ? auditMac(signer, prevHash, r) : auditHash(prevHash, r));
  const log: AuditLog = {
    append: (e) => appendRecord(db, now, link, e),
    async list(f) {
      const { rows } = await db.query(
        `SELECT * FROM vecron_audit_log
         WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR result = $3)
           AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::timestamptz IS NULL OR at < $5) AND ($8::text IS NULL OR resource = $8)
         ORDER BY seq DESC LIMIT $6 OFFSET $7`,
        [f.actor ?? null, f.action ?? null, f.result ?? null, f.from?.toISOString() ?? null, f.to?.toISOString() ?? null, f.limit, f.offset, f.resource ?? null],
      );
      return rows.map(toRecord);
    },
    verify: (checkpoint) => verifyChain(db, byKid, keys.length > 0, checkpoint),
    async ensureKeyed() {
      if (!signer) return;
      const { rows } = await db.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM vecron_audit_log ORDER BY seq DESC LIMIT 1');
      const head = rows[0];
      if (!head || head.hash.startsWith('hmac:')) return;
      await log.append({ actorId: null, actor: 'system', action: 'audit.keyed', resource: null, ip: null, result: 'ok', details: { legacy_records: Number(head.seq), kid: signer.kid } });
    },
    async checkpoint() {
      if (!signer) throw new ConfigError('audit log', [{ path: '$.keys', message: 'audit checkpoints need an audit key (derived from security.encryption_key)' }]);
      const { rows } = await db.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM vecron_audit_log ORDER BY seq DESC LIMIT 1');
      const head = rows[0];
      const body: Omit<AuditCheckpoint, 'mac'> = { format: 'vecron.audit-checkpoint', version: 1, count: head ? Number(head.seq) : 0, head_hash: head?.hash ?? GENESIS, at: now().toISOString(), kid: signer.kid };
      return { ...body, mac: checkpointMac(signer, body) };
    },
  };
  return log;
}

/** Appends one record under the chain lock, linked to the newest one (see {@link AuditLog.append}). */
async function appendRecord(db: SqlClient, now: () => Date, link: (prevHash: string, r: Omit<AuditRecord, 'hash' | 'prev_hash'>) => string, e: AuditEntry): Promise<AuditRecord> {
  return db.transaction(async (tx) => {
    // One writer at a time across every API process keeps the chain linear.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    const { rows } = await tx.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM vecron_audit_log ORDER BY seq DESC LIMIT 1');
    const prev = rows[0];
    const base = {
      seq: prev ? Number(prev.seq) + 1 : 1,
      at: now().toISOString(),
      actor_id: e.actorId,
      actor: auditText(e.actor, AUDIT_FIELD_LIMITS.actor),
      action: auditText(e.action, AUDIT_FIELD_LIMITS.action),
      resource: e.resource === null ? null : auditText(e.resource, AUDIT_FIELD_LIMITS.resource),
      ip: e.ip === null ? null : auditText(e.ip, AUDIT_FIELD_LIMITS.ip),
      result: auditText(e.result, AUDIT_FIELD_LIMITS.result),
      details: JSON.parse(JSON.stringify(auditDetails(e.details))) as Record<string, unknown>,
    };
    const prevHash = prev?.hash ?? GENESIS;
    const hash = link(prevHash, base);
    await tx.query(
      `INSERT INTO vecron_audit_log (seq, at, actor_id, actor, action, resource, ip, result, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)`,
      [base.seq, base.at, base.actor_id, base.actor, base.action, base.resource, base.ip, base.result, JSON.stringify(base.details), prevHash, hash],
    );
    return { ...base, prev_hash: prevHash, hash };
  });
}

/** Why a stored hash does not match its record, or null when it does. */
function mismatch(byKid: ReadonlyMap<string, AuditKey>, r: AuditRecord, prevHash: string, keyedBefore: boolean): string | null {
  if (!r.hash.startsWith('hmac:')) {
    if (keyedBefore) return 'an unkeyed record after keyed ones (the chain was rewritten)';
    return auditHash(prevHash, r) === r.hash ? null : 'record content does not match its hash';
  }
  const kid = r.hash.split(':')[1] ?? '';
  const key = byKid.get(kid);
  if (!key) return `record is keyed with an unknown audit key ${kid} (configure its encryption key as a previous key)`;
  return sameHex(auditMac(key, prevHash, r), r.hash) ? null : 'record content does not match its keyed hash';
}

/** Walks the whole chain (see {@link AuditLog.verify}); `hasKeys` is whether this server has audit keys. */
async function verifyChain(db: SqlClient, byKid: ReadonlyMap<string, AuditKey>, hasKeys: boolean, checkpoint: AuditCheckpoint | undefined): Promise<AuditVerification> {
  if (checkpoint) {
    const key = byKid.get(checkpoint.kid);
    if (!key) return { ok: false, checked: 0, first_bad_seq: null, reason: `checkpoint is signed with an unknown audit key ${checkpoint.kid}` };
    const { mac, ...rest } = checkpoint;
    if (!sameHex(checkpointMac(key, rest), String(mac))) return { ok: false, checked: 0, first_bad_seq: null, reason: 'checkpoint signature does not match (the file was altered or is not from this server)' };
  }
  let prevHash = GENESIS;
  let expected = 1;
  let checked = 0;
  let keyed = false;
  let headAtCheckpoint: string | null = null;
  for (;;) {
    const { rows } = await db.query('SELECT * FROM vecron_audit_log WHERE seq >= $1 ORDER BY seq LIMIT 1000', [expected]);
    if (!rows.length) break;
    for (const raw of rows) {
      const r = toRecord(raw);
      const bad = (reason: string): AuditVerification => ({ ok: false, checked, first_bad_seq: r.seq, reason });
      if (r.seq !== expected) return { ok: false, checked, first_bad_seq: expected, reason: `record ${expected} is missing` };
      if (r.prev_hash !== prevHash) return bad('link to the previous record does not match');
      const why = mismatch(byKid, r, prevHash, keyed);
      if (why) return bad(why);
      keyed ||= r.hash.startsWith('hmac:');
      if (checkpoint && r.seq === checkpoint.count) headAtCheckpoint = r.hash;
      prevHash = r.hash;
      expected += 1;
      checked += 1;
    }
  }
  const { rows: extra } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM vecron_audit_log');
  if ((extra[0]?.n ?? 0) !== checked) return { ok: false, checked, first_bad_seq: null, reason: 'records outside the chain sequence' };
  // A server with a key always ends the chain with a keyed record (ensureKeyed at start), and a
  // keyed record covers everything before it; an all-unkeyed chain was rewritten (or never keyed).
  if (hasKeys && checked > 0 && !prevHash.startsWith('hmac:')) {
    return { ok: false, checked, first_bad_seq: checked, reason: 'the newest record is not keyed: the chain was rewritten, or no server with this key has started on it yet' };
  }
  if (checkpoint) {
    if (checked < checkpoint.count) return { ok: false, checked, first_bad_seq: checked + 1, reason: `truncated: the checkpoint of ${checkpoint.at} covers ${checkpoint.count} records, the log has ${checked}` };
    if (headAtCheckpoint !== checkpoint.head_hash) return { ok: false, checked, first_bad_seq: checkpoint.count, reason: `record ${checkpoint.count} is not the one the checkpoint of ${checkpoint.at} signed (the chain was rewritten)` };
  }
  return { ok: true, checked, first_bad_seq: null, reason: null };
}

/** Reads a checkpoint file's JSON; a clear error naming the field when it is not one. */
export function parseAuditCheckpoint(json: unknown): AuditCheckpoint {
  const c = json as Partial<AuditCheckpoint> | null;
  const problem =
    !c || typeof c !== 'object' ? 'is not a JSON object'
    : c.format !== 'vecron.audit-checkpoint' ? '$.format must be "vecron.audit-checkpoint"'
    : c.version !== 1 ? '$.version must be 1'
    : !Number.isInteger(c.count) || c.count! < 0 ? '$.count must be a whole number ≥ 0'
    : typeof c.head_hash !== 'string' ? '$.head_hash must be a string'
    : typeof c.at !== 'string' ? '$.at must be a string'
    : typeof c.kid !== 'string' ? '$.kid must be a string'
    : typeof c.mac !== 'string' ? '$.mac must be a string'
    : null;
  if (problem) throw new ValidationError('audit checkpoint', [{ path: problem.startsWith('$') ? problem.split(' ')[0]! : '$', message: problem.startsWith('$') ? problem.slice(problem.indexOf(' ') + 1) : problem }]);
  return c as AuditCheckpoint;
}
