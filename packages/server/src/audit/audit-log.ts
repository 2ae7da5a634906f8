import { createHash } from 'node:crypto';
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

/** hash = sha256(prev_hash "\n" canonical(record without hashes)). */
export function auditHash(prevHash: string, r: Omit<AuditRecord, 'hash' | 'prev_hash'>): string {
  const body = canonicalJson({ seq: r.seq, at: r.at, actor_id: r.actor_id, actor: r.actor, action: r.action, resource: r.resource, ip: r.ip, result: r.result, details: r.details });
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex');
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

/** The append-only, hash-chained audit log. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<AuditRecord>;
  list(filter: { actor?: string; action?: string; result?: string; from?: Date; to?: Date; limit: number; offset: number }): Promise<AuditRecord[]>;
  /** Walks the whole chain; any edited, deleted or inserted row breaks it. */
  verify(): Promise<AuditVerification>;
}

/** Creates the audit log over the vecron database (table `vecron_audit_log`, migration 0002). */
export function createAuditLog(db: SqlClient, now: () => Date = () => new Date()): AuditLog {
  return {
    async append(e) {
      return db.transaction(async (tx) => {
        // One writer at a time across every API process keeps the chain linear.
        await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
        const { rows } = await tx.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM vecron_audit_log ORDER BY seq DESC LIMIT 1');
        const prev = rows[0];
        const base = {
          seq: prev ? Number(prev.seq) + 1 : 1,
          at: now().toISOString(),
          actor_id: e.actorId, actor: e.actor, action: e.action, resource: e.resource, ip: e.ip, result: e.result,
          details: JSON.parse(JSON.stringify(e.details ?? {})) as Record<string, unknown>,
        };
        const prevHash = prev?.hash ?? GENESIS;
        const hash = auditHash(prevHash, base);
        await tx.query(
          `INSERT INTO vecron_audit_log (seq, at, actor_id, actor, action, resource, ip, result, details, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)`,
          [base.seq, base.at, base.actor_id, base.actor, base.action, base.resource, base.ip, base.result, JSON.stringify(base.details), prevHash, hash],
        );
        return { ...base, prev_hash: prevHash, hash };
      });
    },
    async list(f) {
      const { rows } = await db.query(
        `SELECT * FROM vecron_audit_log
         WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR result = $3)
           AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::timestamptz IS NULL OR at < $5)
         ORDER BY seq DESC LIMIT $6 OFFSET $7`,
        [f.actor ?? null, f.action ?? null, f.result ?? null, f.from?.toISOString() ?? null, f.to?.toISOString() ?? null, f.limit, f.offset],
      );
      return rows.map(toRecord);
    },
    async verify() {
      let prevHash = GENESIS;
      let expected = 1;
      let checked = 0;
      for (;;) {
        const { rows } = await db.query('SELECT * FROM vecron_audit_log WHERE seq >= $1 ORDER BY seq LIMIT 1000', [expected]);
        if (!rows.length) break;
        for (const raw of rows) {
          const r = toRecord(raw);
          const bad = (reason: string): AuditVerification => ({ ok: false, checked, first_bad_seq: r.seq, reason });
          if (r.seq !== expected) return { ok: false, checked, first_bad_seq: expected, reason: `record ${expected} is missing` };
          if (r.prev_hash !== prevHash) return bad('link to the previous record does not match');
          if (auditHash(prevHash, r) !== r.hash) return bad('record content does not match its hash');
          prevHash = r.hash;
          expected += 1;
          checked += 1;
        }
      }
      const { rows: extra } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM vecron_audit_log');
      if ((extra[0]?.n ?? 0) !== checked) return { ok: false, checked, first_bad_seq: null, reason: 'records outside the chain sequence' };
      return { ok: true, checked, first_bad_seq: null, reason: null };
    },
  };
}
