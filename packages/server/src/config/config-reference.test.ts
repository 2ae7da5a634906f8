import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configKeys, renderConfigReference } from './config-reference.js';

const doc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs/configuration.md');

describe('configuration reference', () => {
  it('docs/configuration.md is what the schema and default.toml generate (run `pnpm --filter @vecron/server run config-reference`)', () => {
    expect(readFileSync(doc, 'utf8')).toBe(renderConfigReference());
  });

  it('every key has a default in default.toml and a description comment above it', () => {
    const keys = configKeys().filter((k) => !k.path.includes('<name>'));
    expect(keys.length).toBeGreaterThan(60);
    expect(keys.filter((k) => k.default === '').map((k) => k.path)).toEqual([]);
    expect(keys.filter((k) => k.description === '').map((k) => k.path)).toEqual([]);
  });

  it('names the environment variable of each key', () => {
    const byPath = new Map(configKeys().map((k) => [k.path, k]));
    expect(byPath.get('api.port')!.env).toBe('VECRON__API__PORT');
    expect(byPath.get('alerts.email.host')!.env).toBe('VECRON__ALERTS__EMAIL (JSON: host)');
    expect(byPath.get('executors.database_connections.<name>.database_type')!.type).toBe('"postgresql" | "mysql" | "oracle"');
  });
});
