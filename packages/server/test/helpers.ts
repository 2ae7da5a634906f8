import { defineExecutor, NonRetryableError, TransientError } from '@vecron/sdk';
import type { AnyExecutor } from '@vecron/sdk';
import { z } from 'zod';
import { loadConfig } from '../src/config/load-config.js';
import type { ServerConfigOverrides } from '../src/config/config-schema.js';
import { startServer } from '../src/runtime/start-server.js';
import type { RunningServer, StartServerOptions } from '../src/runtime/start-server.js';

export const ADMIN_PASSWORD = 'Initial-Admin-Pass-1';
export const ADMIN_NEW_PASSWORD = 'Changed-Admin-Pass-2';

/** Test executors: `echo` returns its config, `fail` always fails permanently, `sleep` waits. */
export function testExecutors(): AnyExecutor[] {
  return [
    defineExecutor({ type: 'echo', config: z.object({ message: z.string() }).passthrough(), async execute(c) { return { said: c.message }; } }) as AnyExecutor,
    defineExecutor({ type: 'transient', config: z.object({}).passthrough(), async execute() { throw new TransientError('try later'); } }) as AnyExecutor,
    defineExecutor({ type: 'fail', config: z.object({}).passthrough(), async execute() { throw new NonRetryableError('boom'); } }) as AnyExecutor,
    defineExecutor({
      type: 'sleep', config: z.object({ ms: z.number() }),
      async execute(c, ctx) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, c.ms);
          ctx.signal.addEventListener('abort', () => { clearTimeout(t); reject(ctx.signal.reason); }, { once: true });
        });
        return { slept: c.ms };
      },
    }) as AnyExecutor,
  ];
}

/** A server on loopback (random ports), in-memory embedded store, quiet logs. */
export async function startTestServer(overrides: ServerConfigOverrides = {}, extra: Partial<StartServerOptions> = {}): Promise<RunningServer> {
  const config = loadConfig({
    configDir: '/nonexistent',
    overrides: {
      ...overrides,
      api: { port: 0, ...overrides.api },
      metrics: { port: 0, ...overrides.metrics },
      storage: { data_dir: '', ...overrides.storage },
      log: { level: 'silent' },
      auth: { initial_admin_password: ADMIN_PASSWORD, ...overrides.auth },
      scheduler: { poll_interval_ms: 100, ...overrides.scheduler },
      worker: { shutdown_grace_ms: 1_000, ...overrides.worker },
      // Tests read alerts at once; grouping has its own test (alerts-grouping.test.ts).
      alerts: { group_wait_seconds: 0, ...overrides.alerts },
    },
  });
  return startServer({ config, role: 'all', executors: testExecutors(), ...extra });
}

/** Minimal JSON client. */
/** A response as the tests read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
export interface TestResponse { status: number; body: any; headers: Headers }

export function client(base: string): { call(method: string, path: string, opts?: { token?: string | null; body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<TestResponse> } {
  const call = async (method: string, path: string, opts: { token?: string | null; body?: unknown; headers?: Record<string, string>; raw?: string } = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  };
  return { call };
}

/** Logs the seeded admin in, changes the one-time password, returns a working token. */
export async function adminToken(base: string): Promise<string> {
  const c = client(base);
  const first = await c.call('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  if (first.status === 200) {
    const changed = await c.call('POST', '/api/auth/password', { token: first.body.token, body: { current_password: ADMIN_PASSWORD, new_password: ADMIN_NEW_PASSWORD } });
    return changed.body.token;
  }
  const again = await c.call('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_NEW_PASSWORD } });
  return again.body.token;
}

/** Creates a user with the given roles and returns its id and a token (password already changed). */
export async function userToken(base: string, admin: string, username: string, roles: string[]): Promise<{ id: string; token: string }> {
  const c = client(base);
  const created = await c.call('POST', '/api/users', { token: admin, body: { username, password: 'User-Password-123', roles, must_change_password: false } });
  if (created.status !== 201) throw new Error(`create user: ${created.status} ${JSON.stringify(created.body)}`);
  const login = await c.call('POST', '/api/auth/login', { body: { username, password: 'User-Password-123' } });
  return { id: created.body.id, token: login.body.token };
}

/** A job using the test executors. */
export const echoJob = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  steps: [{ id: 'say', type: 'echo', config: { message: 'hi {{execution_id}}' } }],
  ...extra,
});

/** The events of a server-sent-events response, as they arrive: the `event:` name (if any) and the parsed `data:` JSON. */
export async function* sseEvents(res: Response): AsyncGenerator<{ event: string | undefined; data: unknown; id: string | undefined }> {
  const reader = res.body!.getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += Buffer.from(value).toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (data) yield { event: /^event: (.+)$/m.exec(block)?.[1], data: JSON.parse(data) as unknown, id: /^id: (.+)$/m.exec(block)?.[1] };
    }
  }
}

/** A browser-like client: keeps cookies, reads the CSRF token from forms, never follows redirects. */
export function browser(base: string) {
  const jar = new Map<string, string>();
  let csrf = '';
  const keep = (res: Response): void => {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const eq = pair.indexOf('=');
      if (/Max-Age=0/i.test(c)) jar.delete(pair.slice(0, eq));
      else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const cookie = (): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    jar,
    async get(path: string) {
      const res = await fetch(`${base}${path}`, { headers: { cookie: cookie() }, redirect: 'manual' });
      keep(res);
      const text = await res.text();
      csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? csrf;
      return { status: res.status, text, location: res.headers.get('location'), res };
    },
    async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
      const res = await fetch(`${base}${path}`, {
        method: 'POST', redirect: 'manual', body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
        headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded', origin: base, ...headers },
      });
      keep(res);
      return { status: res.status, text: await res.text(), location: res.headers.get('location'), res };
    },
  };
}
