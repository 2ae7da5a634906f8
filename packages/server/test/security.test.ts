import { createHash, createHmac, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createSecretBox, generateSecretKey } from '@vecron/sdk/crypto';
import type { InMemorySpanExporter as InMemorySpanExporterType } from '@opentelemetry/sdk-trace-node';
import type * as OtelSdk from '@opentelemetry/sdk-trace-node';
import { SignJWT, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCjs } from '../src/observability/cjs.js';
import type { RunningServer } from '../src/runtime/start-server.js';
import { signWebhook, signWebhookV2 } from '../src/webhooks/signature.js';
import { ADMIN_PASSWORD, adminToken, client, echoJob, startTestServer, userToken } from './helpers.js';

const pem = (): string => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const CURRENT = { kid: 'k-current', private_key_pem: pem() };
const OLD = { kid: 'k-old', private_key_pem: pem() };
const ENCRYPTION_KEY = generateSecretKey();

let server: RunningServer;
let api: ReturnType<typeof client>;
let admin: string;
let exporter: InMemorySpanExporterType;

beforeAll(async () => {
  const { InMemorySpanExporter } = requireCjs<typeof OtelSdk>('@opentelemetry/sdk-trace-node');
  exporter = new InMemorySpanExporter();
  server = await startTestServer(
    { auth: { keys: [CURRENT, OLD], login_max_per_user: 3, login_max_per_ip: 1000, login_window_seconds: 60 }, security: { encryption_key: ENCRYPTION_KEY } },
    { spanExporter: exporter },
  );
  api = client(server.apiUrl!);
});
afterAll(async () => {
  await server?.stop();
});

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
async function sign(key: { kid: string; private_key_pem: string }, claims: Record<string, unknown>, opts: { exp?: number; aud?: string; iss?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ver: 1, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setIssuer(opts.iss ?? 'vecron')
    .setAudience(opts.aud ?? 'vecron-api')
    .setIssuedAt(now - 10)
    .setExpirationTime(opts.exp ?? now + 600)
    .sign(await importPKCS8(key.private_key_pem, 'ES256'));
}

describe('first admin and passwords', () => {
  it('the seeded admin must change the password before doing anything else', async () => {
    const login = await api.call('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(login.body.must_change_password).toBe(true);
    const blocked = await api.call('GET', '/api/jobs', { token: login.body.token });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const weak = await api.call('POST', '/api/auth/password', { token: login.body.token, body: { current_password: ADMIN_PASSWORD, new_password: 'short' } });
    expect(weak.status).toBe(400);
    admin = await adminToken(server.apiUrl!);
    expect((await api.call('GET', '/api/jobs', { token: admin })).status).toBe(200);
    // The token from before the change is revoked.
    expect((await api.call('GET', '/api/auth/me', { token: login.body.token })).status).toBe(401);
    const { rows } = await server.sql.query<{ password_hash: string }>(`SELECT password_hash FROM vecron_users WHERE username = 'admin'`);
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('login is rate limited per user, with Retry-After', async () => {
    await userToken(server.apiUrl!, admin, 'victim', []);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await api.call('POST', '/api/auth/login', { body: { username: 'victim', password: 'wrong-password-xx' } })).status);
    expect(codes).toEqual([401, 401, 401, 429]);
    const limited = await api.call('POST', '/api/auth/login', { body: { username: 'victim', password: 'User-Password-123' } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await api.call('POST', '/api/auth/login', { body: { username: 'nobody-here', password: 'x' } })).body.error.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('JWT', () => {
  let userId: string;
  beforeAll(async () => {
    userId = (await api.call('GET', '/api/auth/me', { token: admin })).body.id;
  });
  const me = async (token: string): Promise<number> => (await api.call('GET', '/api/auth/me', { token })).status;

  it('accepts a token of the current key and of a previous key (kid rotation)', async () => {
    const ver = (await server.store.principal(userId))!.tokenVersion;
    expect(await me(await sign(CURRENT, { sub: userId, ver }))).toBe(200);
    expect(await me(await sign(OLD, { sub: userId, ver }))).toBe(200);
  });

  it('refuses alg none, a wrong key, HS/RS confusion, expired, wrong aud / iss, unknown kid', async () => {
    const ver = (await server.store.principal(userId))!.tokenVersion;
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: userId, ver, iss: 'vecron', aud: 'vecron-api', iat: now, exp: now + 600 };
    expect(await me(`${b64({ alg: 'none', typ: 'JWT', kid: CURRENT.kid })}.${b64(claims)}.`)).toBe(401);
    expect(await me(await sign({ kid: CURRENT.kid, private_key_pem: pem() }, { sub: userId, ver }))).toBe(401);
    // HS256 keyed with the server's public key, the classic algorithm-confusion forgery.
    const publicPem = createPublicKey(CURRENT.private_key_pem).export({ type: 'spki', format: 'pem' }).toString();
    const head = b64({ alg: 'HS256', typ: 'JWT', kid: CURRENT.kid });
    const body = b64(claims);
    const mac = createHmac('sha256', publicPem).update(`${head}.${body}`).digest('base64url');
    expect(await me(`${head}.${body}.${mac}`)).toBe(401);
    expect(await me(await sign(CURRENT, { sub: userId, ver }, { exp: now - 60 }))).toBe(401);
    expect(await me(await sign(CURRENT, { sub: userId, ver }, { aud: 'someone-else' }))).toBe(401);
    expect(await me(await sign(CURRENT, { sub: userId, ver }, { iss: 'evil' }))).toBe(401);
    expect(await me(await sign({ kid: 'k-unknown', private_key_pem: CURRENT.private_key_pem }, { sub: userId, ver }))).toBe(401);
    // A tampered payload with the original signature.
    const good = await sign(CURRENT, { sub: userId, ver });
    const [h, , s] = good.split('.');
    expect(await me(`${h}.${b64({ ...claims, sub: randomUUID() })}.${s}`)).toBe(401);
  });

  it('tokens stop working at once when roles change or the user is disabled', async () => {
    const u = await userToken(server.apiUrl!, admin, 'revokee', ['Regular User']);
    expect(await me(u.token)).toBe(200);
    await api.call('PUT', `/api/users/${u.id}/roles`, { token: admin, body: { roles: ['Regular User'] } });
    expect(await me(u.token)).toBe(401);
    const again = (await api.call('POST', '/api/auth/login', { body: { username: 'revokee', password: 'User-Password-123' } })).body.token;
    expect(await me(again)).toBe(200);
    await api.call('PATCH', `/api/users/${u.id}`, { token: admin, body: { disabled: true } });
    expect(await me(again)).toBe(401);
    expect((await api.call('POST', '/api/auth/login', { body: { username: 'revokee', password: 'User-Password-123' } })).status).toBe(401);
  });
});

describe('webhooks', () => {
  let jobId: string;
  let hookId: string;
  let secret: string;
  const post = async (opts: { id?: string; secret?: string; body?: string; ts?: number; delivery?: string; sig?: string; query?: string }) => {
    const body = opts.body ?? JSON.stringify({ since: '2026-01-01' });
    const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
    const delivery = opts.delivery ?? randomUUID();
    const res = await fetch(`${server.apiUrl}/webhooks/${opts.id ?? hookId}${opts.query ?? ''}`, {
      method: 'POST', body,
      headers: { 'content-type': 'application/json', 'x-vecron-timestamp': ts, 'x-vecron-delivery': delivery, 'x-vecron-signature': opts.sig ?? signWebhookV2(opts.secret ?? secret, ts, delivery, body), 'x-custom': 'yes' },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };

  beforeAll(async () => {
    const job = await api.call('POST', '/api/jobs', { token: admin, body: { name: 'webhook-job', triggers: { webhook: { enabled: true, rate_limit: { max_requests: 100, window_seconds: 60 } } }, steps: [{ id: 'e', type: 'echo', config: { message: 'since {{webhook.payload.since}} {{webhook.query_params.region}} {{webhook.headers.x-custom}}' } }] } });
    jobId = job.body.id;
    const hook = await api.call('POST', '/api/webhooks', { token: admin, body: { job_id: jobId } });
    hookId = hook.body.id;
    secret = hook.body.secret;
  });

  it('202 with the execution id; payload, headers and query params land in the context', async () => {
    const r = await post({ query: '?region=HN' });
    expect(r.status).toBe(202);
    const done = await server.cron.executions.wait(r.body.execution_id, { timeoutMs: 20_000 });
    expect(done.status).toBe('success');
    expect(done.triggerSource).toBe('webhook');
    expect(done.context.webhook).toMatchObject({ payload: { since: '2026-01-01' }, query_params: { region: 'HN' } });
    expect(done.context.webhook!.headers['x-custom']).toBe('yes');
    expect(done.context.webhook!.headers).not.toHaveProperty('x-vecron-signature');
    expect((done.context.steps.e!.output as { said: string }).said).toBe('since 2026-01-01 HN yes');
  });

  it('401 bad signature (same and different length), 401 stale timestamp, 409 replay, 413 oversize, 404 unknown', async () => {
    const good = signWebhook(secret, String(Math.floor(Date.now() / 1000)), 'x');
    const sameLength = `sha256=${'0'.repeat(good.length - 7)}`;
    const r1 = await post({ sig: sameLength });
    expect(r1.status).toBe(401);
    expect(r1.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect((await post({ sig: 'sha256=abc' })).status).toBe(401);
    expect((await post({ secret: 'whsec_not-the-secret' })).status).toBe(401);
    const stale = await post({ ts: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('WEBHOOK_STALE');
    expect((await post({ ts: Math.floor(Date.now() / 1000) + 301 })).status).toBe(401);
    const delivery = randomUUID();
    expect((await post({ delivery })).status).toBe(202);
    const replay = await post({ delivery });
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('WEBHOOK_REPLAY');
    const big = await post({ body: JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    expect((await post({ id: randomUUID() })).status).toBe(404);
  });

  it('several secrets are valid during a rotation; a rotated-out secret stops after its grace', async () => {
    const rot = await api.call('POST', `/api/webhooks/${hookId}/rotate`, { token: admin, body: { grace_seconds: 3600 } });
    expect((await post({ secret })).status).toBe(202);
    expect((await post({ secret: rot.body.secret })).status).toBe(202);
    const rot2 = await api.call('POST', `/api/webhooks/${hookId}/rotate`, { token: admin, body: { grace_seconds: 0 } });
    expect((await post({ secret: rot.body.secret })).status).toBe(401);
    expect((await post({ secret })).status).toBe(401);
    secret = rot2.body.secret;
    expect((await post({})).status).toBe(202);
  });

  it('a secret under a removed encryption key: the other secrets still verify; none left → 409 SECRET_UNDECRYPTABLE with the request id, never a 500', async () => {
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('hook-removed-key', { triggers: { webhook: { enabled: true } } }) })).body;
    const hook = (await api.call('POST', '/api/webhooks', { token: admin, body: { job_id: job.id } })).body;
    const rotated = (await api.call('POST', `/api/webhooks/${hook.id}/rotate`, { token: admin, body: { grace_seconds: 3600 } })).body;
    // The first secret re-encrypted under a key this server does not have (as if that key was removed).
    const gone = createSecretBox(generateSecretKey());
    const underGoneKey = async (which: 'first' | 'all'): Promise<void> => {
      const { rows } = await server.sql.query<{ secrets: Array<{ id: string; ciphertext: string }> }>('SELECT secrets FROM vecron_webhooks WHERE id = $1', [hook.id]);
      const secrets = rows[0]!.secrets.map((x, i) => (which === 'all' || i === 0 ? { ...x, ciphertext: gone.encrypt('whsec_lost', `webhook:${hook.id}:${x.id}`) } : x));
      await server.sql.query('UPDATE vecron_webhooks SET secrets = $2::jsonb WHERE id = $1', [hook.id, JSON.stringify(secrets)]);
    };
    await underGoneKey('first');
    expect((await post({ id: hook.id, secret: rotated.secret })).status).toBe(202);
    expect((await post({ id: hook.id, secret: hook.secret })).status).toBe(401);
    await underGoneKey('all');
    const r = await post({ id: hook.id, secret: rotated.secret });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'SECRET_UNDECRYPTABLE', details: { key_id: gone.keyId } });
    expect(r.body.error.request_id).toMatch(/^[\w.-]+$/);
    expect(r.body.error.request_id).toBe(r.headers.get('x-request-id'));
    // Every refusal carries the request id, the caller's own when it sent one.
    const unknown = await post({ id: randomUUID() });
    expect(unknown.body.error.request_id).toBe(unknown.headers.get('x-request-id'));
    expect(unknown.body.error.request_id).not.toBe('');
    const audit = await server.sql.query<{ result: string }>(`SELECT result FROM vecron_audit_log WHERE action = 'webhook.receive' AND resource = $1 ORDER BY seq DESC LIMIT 1`, [`job:${job.id}`]);
    expect(audit.rows[0]?.result).toBe('denied:SECRET_UNDECRYPTABLE');
  });

  it('403 when the job is disabled; 429 with Retry-After beyond the per-job limit', async () => {
    await api.call('POST', `/api/jobs/${jobId}/disable`, { token: admin });
    const off = await post({});
    expect(off.status).toBe(403);
    await api.call('POST', `/api/jobs/${jobId}/enable`, { token: admin });
    const flood = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('flood', { triggers: { webhook: { enabled: true, rate_limit: { max_requests: 3, window_seconds: 60 } } } }) })).body;
    const hook = (await api.call('POST', '/api/webhooks', { token: admin, body: { job_id: flood.id } })).body;
    const codes: number[] = [];
    let last: Awaited<ReturnType<typeof post>> | null = null;
    for (let i = 0; i < 6; i++) {
      last = await post({ id: hook.id, secret: hook.secret });
      codes.push(last.status);
    }
    expect(codes).toEqual([202, 202, 202, 429, 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('secrets at rest', () => {
  it('a flipped ciphertext byte fails to decrypt, and the step using it fails instead of running with garbage', async () => {
    // Job-scoped, so the tampered value only breaks this job.
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: { name: 'uses-tampered', max_retries: 0, steps: [{ id: 'e', type: 'echo', retry_count: 0, config: { message: '${DB_PASSWORD}' } }] } })).body;
    await api.call('PUT', '/api/variables/DB_PASSWORD', { token: admin, body: { value: 'hunter2-hunter2', sensitive: true, job_id: job.id } });
    const { rows } = await server.sql.query<{ value: string }>(`SELECT value FROM vecron_variables WHERE name = 'DB_PASSWORD'`);
    const stored = rows[0]!.value;
    expect(stored).not.toContain('hunter2');
    const box = createSecretBox(ENCRYPTION_KEY);
    const aad = `variable:${job.id}:DB_PASSWORD`;
    expect(box.decrypt(stored, aad)).toBe('hunter2-hunter2');
    const i = stored.length - 3;
    const flipped = stored.slice(0, i) + (stored[i] === 'A' ? 'B' : 'A') + stored.slice(i + 1);
    expect(() => box.decrypt(flipped, aad)).toThrow(/./);
    await server.sql.query(`UPDATE vecron_variables SET value = $1 WHERE name = 'DB_PASSWORD'`, [flipped]);
    const ex = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
    const done = await server.cron.executions.wait(ex, { timeoutMs: 20_000 });
    expect(['failed', 'dead_letter']).toContain(done.status);
    // A typed reason on the execution, not an opaque failure.
    expect(done.error?.code).toBe('CRYPTO_FAILED');
    expect(JSON.stringify(done)).not.toContain('hunter2');
  });
});

describe('tracing', () => {
  it('one span per execution and per step, parented to the trigger across the queue', async () => {
    const job = (await api.call('POST', '/api/jobs', { token: admin, body: echoJob('traced') })).body;
    const ex = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id;
    await server.cron.executions.wait(ex, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 100));
    const spans = exporter.getFinishedSpans();
    const exec = spans.find((s) => s.name === 'vecron.execution' && s.attributes['vecron.execution.id'] === ex)!;
    const step = spans.find((s) => s.name === 'vecron.step say' && s.attributes['vecron.execution.id'] === ex)!;
    const trigger = spans.find((s) => s.name === 'vecron.trigger' && s.spanContext().spanId === exec.parentSpanContext?.spanId);
    expect(exec).toBeDefined();
    expect(step.parentSpanContext?.spanId).toBe(exec.spanContext().spanId);
    expect(step.spanContext().traceId).toBe(exec.spanContext().traceId);
    expect(trigger).toBeDefined();
    expect(step.attributes['vecron.step.type']).toBe('echo');
    expect(exec.attributes['vecron.execution.status']).toBe('success');
  });
});

describe('audit log integrity (last: it tampers with the shared database)', () => {
  it('is append-only, verifies, and detects an edited or deleted row', async () => {
    expect((await api.call('GET', '/api/audit/verify', { token: admin })).body).toMatchObject({ ok: true });
    await expect(server.sql.query(`UPDATE vecron_audit_log SET actor = 'mallory' WHERE seq = 2`)).rejects.toThrow(/append-only/);
    await expect(server.sql.query(`DELETE FROM vecron_audit_log WHERE seq = 2`)).rejects.toThrow(/append-only/);
    // An attacker with owner rights can switch the trigger off; the chain still gives them away.
    await server.sql.exec(`ALTER TABLE vecron_audit_log DISABLE TRIGGER USER; UPDATE vecron_audit_log SET actor = 'mallory' WHERE seq = 2; ALTER TABLE vecron_audit_log ENABLE TRIGGER USER;`);
    const edited = await server.audit.verify();
    expect(edited).toMatchObject({ ok: false, first_bad_seq: 2 });
    // Rewriting the hash of the edited row without the key (the legacy unkeyed hash) is refused at that row.
    const { rows } = await server.sql.query<{ seq: number; prev_hash: string; hash: string }>('SELECT seq, prev_hash, hash FROM vecron_audit_log WHERE seq IN (2, 3) ORDER BY seq');
    const row2 = (await server.audit.list({ limit: 10_000, offset: 0 })).find((r) => r.seq === 2)!;
    const { auditHash } = await import('../src/audit/audit-log.js');
    const rehash = auditHash(rows[0]!.prev_hash, row2);
    await server.sql.exec(`ALTER TABLE vecron_audit_log DISABLE TRIGGER USER; UPDATE vecron_audit_log SET hash = '${rehash}' WHERE seq = 2; ALTER TABLE vecron_audit_log ENABLE TRIGGER USER;`);
    expect(await server.audit.verify()).toMatchObject({ ok: false, first_bad_seq: 2 });
    expect(createHash('sha256').update('x').digest('hex')).toHaveLength(64);
  });
});
