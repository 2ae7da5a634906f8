import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CryptoError } from '@vecron/sdk';
import type { SecretBox } from '@vecron/sdk/crypto';
import type { SqlClient } from '@vecron/sdk';
import { isUuid } from '../store/server-store.js';

interface StoredSecret {
  id: string;
  ciphertext: string;
  created_at: string;
  /** Null while current; set when rotated out. */
  expires_at: string | null;
}

/** A webhook as the API shows it (never a secret). */
export interface WebhookView {
  id: string;
  job_id: string;
  secrets: Array<{ id: string; created_at: string; expires_at: string | null }>;
  created_at: string;
  updated_at: string;
}

const aad = (id: string, secretId: string): string => `webhook:${id}:${secretId}`;
const newSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;
const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();

const secretsOf = (r: Record<string, unknown>): StoredSecret[] => (typeof r.secrets === 'string' ? JSON.parse(r.secrets) : r.secrets) as StoredSecret[];
const view = (r: Record<string, unknown>): WebhookView => ({
  id: String(r.id), job_id: String(r.job_id),
  secrets: secretsOf(r).map((s) => ({ id: s.id, created_at: s.created_at, expires_at: s.expires_at })),
  created_at: iso(r.created_at), updated_at: iso(r.updated_at),
});

/** Webhook endpoints, their encrypted secrets and the delivery ids seen (server schema `store/schema/`). */
export function createWebhookStore(db: SqlClient, box: SecretBox) {
  const getRow = async (id: string): Promise<Record<string, unknown> | null> => {
    if (!isUuid(id)) return null;
    const { rows } = await db.query('SELECT * FROM vecron_webhooks WHERE id = $1', [id]);
    return rows[0] ?? null;
  };
  const store = {
    /** Creates an endpoint; the secret is returned once, here, and stored encrypted. */
    async create(jobId: string, createdBy: string | null, now: Date): Promise<{ webhook: WebhookView; secret: string }> {
      const id = randomUUID();
      const secret = newSecret();
      const sid = randomUUID();
      const secrets: StoredSecret[] = [{ id: sid, ciphertext: box.encrypt(secret, aad(id, sid)), created_at: now.toISOString(), expires_at: null }];
      const { rows } = await db.query(
        `INSERT INTO vecron_webhooks (id, job_id, secrets, created_by, created_at, updated_at) VALUES ($1, $2, $3::jsonb, $4, $5, $5) RETURNING *`,
        [id, jobId, JSON.stringify(secrets), createdBy, now.toISOString()],
      );
      return { webhook: view(rows[0]!), secret };
    },
    async get(id: string): Promise<WebhookView | null> {
      const r = await getRow(id);
      return r ? view(r) : null;
    },
    async list(jobId: string | undefined, limit: number, offset: number): Promise<WebhookView[]> {
      const { rows } = await db.query('SELECT * FROM vecron_webhooks WHERE ($1::uuid IS NULL OR job_id = $1) ORDER BY created_at, id LIMIT $2 OFFSET $3', [jobId ?? null, limit, offset]);
      return rows.map(view);
    },
    /** Adds a new current secret; the previous ones stay valid for `graceSeconds`; expired ones are dropped. */
    async rotate(id: string, graceSeconds: number, now: Date): Promise<{ webhook: WebhookView; secret: string } | null> {
      return rotateSecret(db, box, id, graceSeconds, now);
    },
    async delete(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      return (await db.query('DELETE FROM vecron_webhooks WHERE id = $1', [id])).rowCount > 0;
    },
    /**
     * The job of an endpoint and its secrets valid at `now`, decrypted (receiver only). A secret
     * that does not decrypt (its key was removed, or it was altered) is left out and listed in
     * `undecryptable` with its key id, so the others still verify.
     */
    async validSecrets(id: string, now: Date): Promise<{ jobId: string; secrets: string[]; undecryptable: Array<{ secretId: string; error: CryptoError }> } | null> {
      const r = await getRow(id);
      return r ? decryptValid(box, id, r, now) : null;
    },
    /**
     * Records a delivery id and the signature it came with; false when either was seen before
     * within the replay window (a replay, even under a new delivery id). The signature is kept
     * as `sig <sha256 of the header>`: a space never occurs in a delivery id, so the two cannot collide.
     */
    async recordDelivery(id: string, deliveryId: string, now: Date, signature?: string): Promise<boolean> {
      return insertDelivery(db, id, deliveryId, now, signature);
    },
    async attachExecution(id: string, deliveryId: string, executionId: string): Promise<void> {
      await db.query('UPDATE vecron_webhook_deliveries SET execution_id = $3 WHERE webhook_id = $1 AND delivery_id = $2', [id, deliveryId, executionId]);
    },
    /** Forgets delivery ids older than the replay window (they would fail the timestamp check anyway). */
    async pruneDeliveries(before: Date): Promise<number> {
      return (await db.query('DELETE FROM vecron_webhook_deliveries WHERE received_at < $1', [before.toISOString()])).rowCount;
    },
  };
  return store;
}

/** The webhook store. */
export type WebhookStore = ReturnType<typeof createWebhookStore>;

/** The transaction behind {@link WebhookStore.rotate}. */
async function rotateSecret(db: SqlClient, box: SecretBox, id: string, graceSeconds: number, now: Date): Promise<{ webhook: WebhookView; secret: string } | null> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query('SELECT * FROM vecron_webhooks WHERE id = $1 FOR UPDATE', [id]);
    if (!rows[0]) return null;
    const until = new Date(now.getTime() + graceSeconds * 1000).toISOString();
    const kept = secretsOf(rows[0])
      .filter((s) => s.expires_at === null || Date.parse(s.expires_at) > now.getTime())
      .map((s) => (s.expires_at === null || Date.parse(s.expires_at) > Date.parse(until) ? { ...s, expires_at: until } : s))
      .filter((s) => Date.parse(s.expires_at!) > now.getTime());
    const secret = newSecret();
    const sid = randomUUID();
    const secrets = [...kept, { id: sid, ciphertext: box.encrypt(secret, aad(id, sid)), created_at: now.toISOString(), expires_at: null }];
    const { rows: out } = await tx.query('UPDATE vecron_webhooks SET secrets = $2::jsonb, updated_at = $3 WHERE id = $1 RETURNING *', [id, JSON.stringify(secrets), now.toISOString()]);
    return { webhook: view(out[0]!), secret };
  });
}

/** The secrets of row `r` valid at `now`, decrypted (see {@link WebhookStore.validSecrets}). */
function decryptValid(box: SecretBox, id: string, r: Record<string, unknown>, now: Date): { jobId: string; secrets: string[]; undecryptable: Array<{ secretId: string; error: CryptoError }> } {
  const secrets: string[] = [];
  const undecryptable: Array<{ secretId: string; error: CryptoError }> = [];
  for (const s of secretsOf(r)) {
    if (s.expires_at !== null && Date.parse(s.expires_at) <= now.getTime()) continue;
    try {
      secrets.push(box.decrypt(s.ciphertext, aad(id, s.id)));
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      undecryptable.push({ secretId: s.id, error: err });
    }
  }
  return { jobId: String(r.job_id), secrets, undecryptable };
}

/** The inserts behind {@link WebhookStore.recordDelivery}. */
async function insertDelivery(db: SqlClient, id: string, deliveryId: string, now: Date, signature: string | undefined): Promise<boolean> {
  const at = now.toISOString();
  if (signature === undefined) {
    const { rowCount } = await db.query(`INSERT INTO vecron_webhook_deliveries (webhook_id, delivery_id, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [id, deliveryId, at]);
    return rowCount > 0;
  }
  const sigKey = `sig ${createHash('sha256').update(signature).digest('hex')}`;
  const { rowCount } = await db.query(
    `INSERT INTO vecron_webhook_deliveries (webhook_id, delivery_id, received_at) VALUES ($1, $2, $4), ($1, $3, $4) ON CONFLICT DO NOTHING`,
    [id, deliveryId, sigKey, at],
  );
  return rowCount === 2;
}
