/**
 * Issue 12, "one validation everywhere": `POST /api/jobs/validate`, `POST /api/jobs` and
 * `vecron jobs validate` accept and refuse the same definitions (they call one function), step
 * configs are checked against their executor's schema at save time, and an unknown `${VAR}` is a
 * warning, not an error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../src/cli/commands.js';
import { loadConfig } from '../src/config/load-config.js';
import { defaultExecutors } from '../src/runtime/build-system.js';
import type { RunningServer } from '../src/runtime/start-server.js';
import { adminToken, client, startTestServer } from './helpers.js';

let server: RunningServer;
let api: ReturnType<typeof client>;
let admin: string;
const dir = mkdtempSync(path.join(os.tmpdir(), 'vecron-validate-'));
const config = loadConfig({ configDir: '/nonexistent', overrides: { storage: { data_dir: '' }, log: { level: 'silent' } } });

beforeAll(async () => {
  // The same executors the CLI checks against.
  server = await startTestServer({}, { executors: defaultExecutors(config) });
  api = client(server.apiUrl!);
  admin = await adminToken(server.apiUrl!);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (def: unknown) => {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(def));
  return validateCommand(config, file);
};

const refused: Array<[string, unknown, string]> = [
  ['an unknown step type', { name: 'nope-type', steps: [{ id: 'a', type: 'nope' }] }, '$.steps[0].type'],
  ['a misspelt http field (no url)', { name: 'typo', steps: [{ id: 'a', type: 'http', config: { urll: 'http://127.0.0.1/x' } }] }, '$.steps[0].config.url'],
  ['a wrong type in a config without templates', { name: 'bad-method', steps: [{ id: 'a', type: 'http', config: { url: 'http://127.0.0.1/x', timeout_seconds: 'soon' } }] }, '$.steps[0].config.timeout_seconds'],
  ['an unknown field of a strict config', { name: 'sftp-typo', steps: [{ id: 'a', type: 'sftp', config: { operation: 'download', host: '127.0.0.1', auth: { type: 'password', username: 'u', password: 'p' }, remote_path: '/x', hots: 'y' } }] }, '$.steps[0].config'],
];

describe('one validation for the API, the CLI and the SDK', () => {
  it.each(refused)('all three refuse %s, naming the same path', async (_what, def, where) => {
    const validate = await api.call('POST', '/api/jobs/validate', { token: admin, body: def });
    expect(validate.status).toBe(400);
    expect(validate.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(where);
    const create = await api.call('POST', '/api/jobs', { token: admin, body: def });
    expect(create.status).toBe(400);
    expect(create.body.error.details.issues).toEqual(validate.body.error.details.issues);
    const out = cli(def);
    expect(out.code).toBe(1);
    expect(out.lines.join('\n')).toContain(where);
  });

  it('a templated value is checked after rendering; an unknown ${VAR} is a warning', async () => {
    const def = {
      name: 'templated',
      steps: [
        { id: 'a', type: 'http', config: { url: '${CORE_API}/settlements', timeout_seconds: '{{ webhook.payload.timeout | default:5 }}' } },
      ],
    };
    const validate = await api.call('POST', '/api/jobs/validate', { token: admin, body: def });
    expect(validate.status).toBe(200);
    expect(validate.body).toEqual({
      valid: true,
      warnings: [{ path: '$.steps[0].config.url', message: expect.stringContaining('${CORE_API} is not defined') }],
    });
    expect(cli(def).code).toBe(0);
    expect((await api.call('POST', '/api/jobs', { token: admin, body: def })).status).toBe(201);
    // Once the variable exists, the warning is gone.
    expect((await api.call('PUT', '/api/variables/CORE_API', { token: admin, body: { value: 'http://127.0.0.1:1' } })).status).toBeLessThan(300);
    expect((await api.call('POST', '/api/jobs/validate', { token: admin, body: { ...def, name: 'templated-2' } })).body.warnings).toEqual([]);
  });

  it('a literal credential is a warning that suggests a sensitive variable (API and `vecron jobs validate`)', async () => {
    const def = { name: 'literal-creds', steps: [{ id: 'a', type: 'http', config: { url: 'https://api.example.test/x', headers: { 'X-Api-Key': 'k-literal-123' } } }] };
    const validate = await api.call('POST', '/api/jobs/validate', { token: admin, body: def });
    expect(validate.status).toBe(200);
    expect(validate.body.warnings).toEqual([{ path: '$.steps[0].config.headers["X-Api-Key"]', message: expect.stringContaining('${X_API_KEY}') }]);
    expect(JSON.stringify(validate.body)).not.toContain('k-literal-123');
    const out = cli(def);
    expect(out.code).toBe(0);
    expect(out.lines.join('\n')).toMatch(/warn {2}\$\.steps\[0\]\.config\.headers\["X-Api-Key"\]: holds a literal credential.*\$\{X_API_KEY\}/);
  });
});
