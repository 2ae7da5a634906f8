import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';
import { createCronSystem, defineExecutor, TransientError, VecronError } from '@vecron/sdk';
import type { AnyExecutor, CronSystem } from '@vecron/sdk';
import { createDashboardRouter } from '../src/index.js';
import type { DashboardActionRecord, DashboardAdmin, DashboardAdminUser, DashboardAdminWebhook, DashboardAuditFilter, DashboardImporter, DashboardImportReport, DashboardRouterOptions, DashboardUser } from '../src/index.js';

/** `echo` returns its message after `ms`; `flaky` always fails with a retryable error. */
export function testExecutors(): AnyExecutor[] {
  return [
    defineExecutor({
      type: 'echo', config: z.object({ message: z.unknown(), ms: z.number().default(0) }),
      async execute(c, ctx) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, c.ms);
          ctx.signal.addEventListener('abort', () => { clearTimeout(t); reject(ctx.signal.reason); }, { once: true });
        });
        return { said: c.message };
      },
    }) as AnyExecutor,
    defineExecutor({ type: 'flaky', config: z.object({}).passthrough(), async execute() { throw new TransientError('upstream busy'); } }) as AnyExecutor,
    // `talk` logs `lines` lines `gap_ms` apart (naming API_TOKEN when set), then writes `file` (CSV) into its file area.
    defineExecutor({
      type: 'talk', config: z.object({ lines: z.number().int(), gap_ms: z.number().default(0), file: z.string().optional() }),
      async execute(c, ctx) {
        for (let i = 1; i <= c.lines; i++) {
          ctx.logger.info({ row: i, bank: 'Ngân hàng Demo' }, 'imported row %d with key %s', i, ctx.variables.API_TOKEN ?? '-');
          await new Promise((r) => setTimeout(r, c.gap_ms));
        }
        if (!c.file) return { lines: c.lines };
        const target = await ctx.files.resolve(c.file);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, 'account,amount\nA1,100\n');
        return { files: [{ path: target, filename: basename(target) }] };
      },
    }) as AnyExecutor,
  ];
}

/**
 * A job importer for pages that need one (the reference server's, with its Quartz and seed
 * conversions, is tested in packages/server/test/dashboard-import.test.ts): vecron JSON only,
 * checked item by item with `jobs.validate`, created unless it is a dry run.
 */
export function testImporter(cron: CronSystem): DashboardImporter {
  return {
    formats: ['vecron'],
    async import({ text }, { dryRun }) {
      let items: unknown[];
      try {
        const doc = JSON.parse(text) as unknown;
        items = Array.isArray(doc) ? doc : [doc];
      } catch (err) {
        return { items: [], changes: [], errors: [`$: not JSON: ${(err as Error).message}`] };
      }
      const out: DashboardImportReport['items'] = [];
      for (const [index, item] of items.entries()) {
        const name = (item as { name?: string }).name ?? null;
        const r = await cron.jobs.validate(item);
        if (!r.valid) out.push({ index, name, status: 'error', error: { code: 'VALIDATION_FAILED', message: 'invalid', issues: r.issues } });
        else if (dryRun) out.push({ index, name, status: 'valid' });
        else out.push({ index, name, status: 'created', jobId: (await cron.jobs.createFromJson(item)).id });
      }
      return { items: out, changes: [], errors: [] };
    },
  };
}

/** One in-memory cron system (PGlite) with scheduler and worker. */
export async function startCron(): Promise<CronSystem> {
  const cron = createCronSystem({ executors: testExecutors(), encryptionKey: randomBytes(32).toString('hex'), pollIntervalMs: 100, dispatchIntervalMs: 50, backoff: { baseMs: 50, factor: 2, capMs: 200 } });
  await cron.start({ worker: { concurrency: 4 } });
  return cron;
}

/** Serves a dashboard router on loopback under `mount`. */
export async function serveDashboard(options: DashboardRouterOptions, mount = '/dash'): Promise<{ base: string; close(): Promise<void> }> {
  const app = express();
  app.use(mount, createDashboardRouter(options));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${mount}`;
  return {
    base,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** A fetch client with a cookie jar, like a browser without JavaScript. */
export function browserClient(base: string) {
  const jar = new Map<string, string>();
  const origin = new URL(base).origin;
  const store = (res: Response): void => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
  };
  const cookieHeader = (): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let csrf = '';
  return {
    jar,
    get csrf() {
      return csrf;
    },
    async get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; res: Response }> {
      const res = await fetch(`${base}${path}`, { headers: { cookie: cookieHeader(), ...headers }, redirect: 'manual' });
      store(res);
      const text = await res.text();
      const m = /name="_csrf" value="([^"]+)"/.exec(text);
      if (m) csrf = m[1]!;
      return { status: res.status, text, res };
    },
    async post(path: string, form: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<{ status: number; text: string; res: Response }> {
      const res = await fetch(`${base}${path}`, {
        method: 'POST', redirect: 'manual',
        headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', origin, ...headers },
        body: new URLSearchParams(form).toString(),
      });
      store(res);
      return { status: res.status, text: await res.text(), res };
    },
  };
}

/** Waits until `check` returns a truthy value. */
export async function until<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A host's refusal with an HTTP status (as the server's ApiError). */
class Refused extends VecronError {
  readonly status = 403;
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** An in-memory admin port: users, two roles, webhooks, and the audit log made of the dashboard's actions. */
export function fakeAdmin(actions: readonly DashboardActionRecord[] = []): DashboardAdmin & { users: DashboardAdminUser[]; calls: string[] } {
  const users: DashboardAdminUser[] = [{ id: randomUUID(), username: 'admin', displayName: null, disabled: false, mustChangePassword: false, roles: ['Admin'], createdAt: new Date() }];
  const hooks: DashboardAdminWebhook[] = [];
  const calls: string[] = [];
  const user = (id: string): DashboardAdminUser => {
    const u = users.find((x) => x.id === id);
    if (!u) throw new Refused(`no user ${id}`);
    return u;
  };
  const secret = (w: DashboardAdminWebhook) => ({ webhook: w, secret: `whsec_${randomUUID()}`, sample: `curl -X POST ${w.url}` });
  return {
    users, calls,
    listUsers: async (actor) => (calls.push(`listUsers ${actor.name}`), users),
    async createUser(actor, input) {
      calls.push(`createUser ${actor.name}`);
      if (input.password.length < 12) throw new Refused('password: must be at least 12 characters');
      const u = { id: randomUUID(), username: input.username, displayName: input.displayName, disabled: false, mustChangePassword: true, roles: input.roles, createdAt: new Date() };
      users.push(u);
      return u;
    },
    setRoles: async (_a, id, roles) => Object.assign(user(id), { roles }),
    setDisabled: async (_a, id, disabled) => Object.assign(user(id), { disabled }),
    resetPassword: async (_a, id) => Object.assign(user(id), { mustChangePassword: true }),
    listRoles: async () => [
      { name: 'Admin', description: 'Every permission', permissions: ['job:read', 'user:manage'], executionScope: 'all', builtIn: true },
      { name: 'Regular User', description: null, permissions: ['job:read'], executionScope: 'own', builtIn: true },
    ],
    listWebhooks: async () => hooks,
    async createWebhook(_a, jobId) {
      const id = randomUUID();
      const w = { id, jobId, url: `https://vecron.example/webhooks/${id}`, activeSecrets: 1, createdAt: new Date() };
      hooks.push(w);
      return secret(w);
    },
    async rotateWebhook(_a: DashboardUser, id: string) {
      const w = hooks.find((x) => x.id === id);
      if (!w) throw new Refused('no such webhook');
      w.activeSecrets++;
      return secret(w);
    },
    async deleteWebhook(_a: DashboardUser, id: string) {
      hooks.splice(hooks.findIndex((x) => x.id === id), 1);
    },
    listAudit: async (_a: DashboardUser, f: DashboardAuditFilter) => actions
      .map((r, i) => ({ seq: i + 1, at: new Date(), actor: r.user?.name ?? 'anonymous', action: r.action, resource: r.resource, ip: null, result: r.result, details: r.details }))
      .filter((r) => (!f.actor || r.actor === f.actor) && (!f.action || r.action === f.action) && (!f.resource || r.resource === f.resource))
      .reverse().slice(f.offset, f.offset + f.limit),
    verifyAudit: async () => ({ ok: true, checked: actions.length, firstBadSeq: null, reason: null }),
  };
}
