import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { defineExecutor, TransientError } from '@vecron/sdk';
import type { AnyExecutor } from '@vecron/sdk';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ServerConfig } from '../src/config/config-schema.js';
import { loadConfig } from '../src/config/load-config.js';
import { startServer } from '../src/runtime/start-server.js';
import type { RunningServer } from '../src/runtime/start-server.js';
import { ADMIN_PASSWORD, adminToken, client, testExecutors } from './helpers.js';
import { until } from '@vecron/sdk/testing';

const SMTP_USER = 'vecron-alerts';
const SMTP_PASSWORD = 'smtp-Pa55word-for-tests';
const SECRET_VALUE = 'tok-SENSITIVE-7f3a9c';
const dir = mkdtempSync(path.join(os.tmpdir(), 'vecron-smtp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A message as the SMTP server received it. */
interface Received { user: string | undefined; secure: boolean; from: string; rcpt: string[]; raw: string }

/** Real SMTP server on 127.0.0.1 requiring AUTH PLAIN/LOGIN; collects every message. */
async function startSmtp(opts: Partial<SMTPServerOptions>): Promise<{ port: number; received: Received[]; authAttempts: Array<{ user: string | undefined; ok: boolean }>; close(): Promise<void> }> {
  const received: Received[] = [];
  const authAttempts: Array<{ user: string | undefined; ok: boolean }> = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: false,
    disabledCommands: [],
    logger: false,
    onAuth(auth, _session, cb) {
      const ok = auth.username === SMTP_USER && auth.password === SMTP_PASSWORD;
      authAttempts.push({ user: auth.username, ok });
      if (!ok) return cb(new Error('Invalid username or password'));
      cb(null, { user: auth.username });
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          user: session.user as string | undefined,
          secure: session.secure,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcpt: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
    ...opts,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, authAttempts, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Headers (unfolded, lower-case names) and decoded text body of a raw RFC 5322 message. */
function parseMessage(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  let body = raw.slice(split + 4);
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (cte === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => `%${h}`);
    body = decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
  } else if (cte === 'base64') {
    body = Buffer.from(body, 'base64').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

/** The test executors plus `leak`: fails transiently with its (templated) config in the message. */
function executors(): AnyExecutor[] {
  return [
    ...testExecutors(),
    defineExecutor({
      type: 'leak', config: z.object({ token: z.string() }),
      async execute(c) {
        throw new TransientError(`upstream refused token ${c.token}`);
      },
    }) as AnyExecutor,
  ];
}

type EmailConfig = ServerConfig['alerts']['email'];
type LogLine = { level: number; msg: string; notifier?: string; alert?: string; err?: { message: string; code?: string; type?: string } };

/** Server on loopback with the e-mail notifier on; the password comes from `${TEST_SMTP_PASSWORD}`. */
async function startWithEmail(email: Partial<EmailConfig>, env: Record<string, string>): Promise<{ server: RunningServer; logs: LogLine[]; admin: string }> {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const config = loadConfig({
    configDir: '/nonexistent',
    env,
    overrides: {
      api: { port: 0 },
      metrics: { enabled: false },
      storage: { data_dir: '' },
      auth: { initial_admin_password: ADMIN_PASSWORD },
      scheduler: { poll_interval_ms: 100 },
      worker: { shutdown_grace_ms: 1_000 },
      alerts: {
        group_wait_seconds: 0,
        email: {
          enabled: true, host: '127.0.0.1', port: 25, secure: false, starttls: 'required', ca_file: '',
          username: SMTP_USER, password: '${TEST_SMTP_PASSWORD}', from: 'vecron <alerts@vecron.test>',
          to: ['ops@bank.test', 'oncall@bank.test'], timeout_seconds: 5, ...email,
        },
      },
    },
  });
  const server = await startServer({ config, role: 'all', executors: executors(), logger });
  return { server, logs, admin: await adminToken(server.apiUrl!) };
}

/** Sets the sensitive API_TOKEN and triggers a job that ends in the dead-letter queue; returns the execution id. */
async function deadLetter(server: RunningServer, admin: string, name: string): Promise<string> {
  const api = client(server.apiUrl!);
  // The failing step puts a sensitive variable's value into its error message.
  expect((await api.call('PUT', '/api/variables/API_TOKEN', { token: admin, body: { value: SECRET_VALUE, sensitive: true } })).status).toBe(200);
  const job = (await api.call('POST', '/api/jobs', { token: admin, body: { name, max_retries: 0, steps: [{ id: 'call', type: 'leak', retry_count: 0, config: { token: '${API_TOKEN}' } }] } })).body;
  expect(job.id, JSON.stringify(job)).toBeTypeOf('string');
  const ex = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id as string;
  expect((await server.cron.executions.wait(ex, { timeoutMs: 20_000 })).status).toBe('dead_letter');
  return ex;
}

/** A job that succeeds: the worker keeps working while (or after) a send fails. */
async function echoRuns(server: RunningServer, admin: string): Promise<void> {
  const api = client(server.apiUrl!);
  const job = (await api.call('POST', '/api/jobs', { token: admin, body: { name: `ok-${Date.now()}`, steps: [{ id: 'e', type: 'echo', config: { message: 'fine' } }] } })).body;
  const ex = (await api.call('POST', `/api/jobs/${job.id}/trigger`, { token: admin, body: {} })).body.execution_id as string;
  expect((await server.cron.executions.wait(ex, { timeoutMs: 20_000 })).status).toBe('success');
}

describe('e-mail alert notifier against a real SMTP server', () => {
  let certFile: string;
  let keyFile: string;
  beforeAll(() => {
    certFile = path.join(dir, 'cert.pem');
    keyFile = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  });

  it('STARTTLS + AUTH: a dead-letter alert arrives with job, execution, status, error and link, and no sensitive value', async () => {
    const smtp = await startSmtp({ secure: false, key: readFileSync(keyFile), cert: readFileSync(certFile), allowInsecureAuth: false });
    const { server, admin } = await startWithEmail({ port: smtp.port, starttls: 'required', ca_file: certFile }, { TEST_SMTP_PASSWORD: SMTP_PASSWORD });
    try {
      const api = client(server.apiUrl!);
      // The effective configuration masks the SMTP password.
      const shown = await api.call('GET', '/api/system/config', { token: admin });
      expect(JSON.stringify(shown.body)).not.toContain(SMTP_PASSWORD);
      expect(shown.body.alerts.email.username).toBe(SMTP_USER);

      const ex = await deadLetter(server, admin, 'nightly-settlement');
      const msg = await until(() => smtp.received[0], { timeoutMs: 15_000, what: 'the alert e-mail' });
      expect(smtp.received).toHaveLength(1);
      expect(msg.secure).toBe(true);
      expect(msg.user).toBe(SMTP_USER);
      expect(msg.from).toBe('alerts@vecron.test');
      expect(msg.rcpt.sort()).toEqual(['ops@bank.test', 'oncall@bank.test'].sort());
      expect(msg.raw).not.toContain(SECRET_VALUE);
      const { headers, body } = parseMessage(msg.raw);
      expect(headers.get('subject')).toBe('[vecron] execution moved to the dead-letter queue: nightly-settlement');
      expect(headers.get('to')).toBe('ops@bank.test, oncall@bank.test');
      expect(headers.get('from')).toBe('vecron <alerts@vecron.test>');
      expect(body).toContain('Job:          nightly-settlement');
      expect(body).toContain(`Execution id: ${ex}`);
      expect(body).toContain('Status:       dead_letter');
      expect(body).toContain('Error code:   TRANSIENT');
      expect(body).toContain('Error:        upstream refused token ••••••');
      expect(body).toContain(`Open the execution: ${server.apiUrl}/dashboard/executions/${ex}`);
      expect(body).not.toContain(SECRET_VALUE);
      expect(body).not.toContain(SMTP_PASSWORD);
      expect(server.alerts.some((a) => a.kind === 'dead_letter' && a.execution_id === ex)).toBe(true);
    } finally {
      await server.stop();
      await smtp.close();
    }
  });

  it('a wrong SMTP password: the error is logged, nothing crashes, the worker keeps running', async () => {
    const smtp = await startSmtp({ secure: false, hideSTARTTLS: true, allowInsecureAuth: true });
    const { server, logs, admin } = await startWithEmail({ port: smtp.port, starttls: 'off' }, { TEST_SMTP_PASSWORD: 'not-the-password' });
    try {
      await deadLetter(server, admin, 'bad-password-job');
      const line = await until(() => logs.find((l) => l.msg === 'alert notification failed' && l.notifier === 'email'), { timeoutMs: 15_000, what: 'the logged send failure' });
      expect(line.level).toBe(50);
      expect(line.alert).toBe('dead_letter');
      expect(line.err?.code).toBe('EAUTH');
      expect(JSON.stringify(logs)).not.toContain('not-the-password');
      expect(smtp.authAttempts).toEqual([{ user: SMTP_USER, ok: false }]);
      expect(smtp.received).toHaveLength(0);
      await echoRuns(server, admin);
    } finally {
      await server.stop();
      await smtp.close();
    }
  });

  it('a server that accepts but never answers: the send times out, is logged, and does not block the worker', async () => {
    const sockets = new Set<net.Socket>();
    let connections = 0;
    const silent = net.createServer((s) => {
      connections++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as AddressInfo).port;
    const { server, logs, admin } = await startWithEmail({ port, starttls: 'off', timeout_seconds: 1 }, { TEST_SMTP_PASSWORD: SMTP_PASSWORD });
    try {
      await deadLetter(server, admin, 'silent-smtp-job');
      // While the send waits for a greeting that never comes, other executions still run.
      await echoRuns(server, admin);
      const line = await until(() => logs.find((l) => l.msg === 'alert notification failed' && l.notifier === 'email'), { timeoutMs: 15_000, what: 'the logged time-out' });
      expect(['ALERT_EMAIL_TIMEOUT', 'ETIMEDOUT']).toContain(line.err?.code);
      expect(line.err?.message).toMatch(/timed out|Greeting never received/);
      expect(connections).toBeGreaterThan(0);
    } finally {
      await server.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
