import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, zodIssues } from '@vecron/sdk';
import { parse as parseToml } from 'smol-toml';
import { serverConfigSchema } from './config-schema.js';
import type { ServerConfig, ServerConfigOverrides } from './config-schema.js';

/** Where {@link loadConfig} reads from. */
export interface LoadConfigOptions {
  /** Folder holding `local.toml` (and optionally its own `default.toml`). @default `./config` of the working directory */
  configDir?: string;
  /** Environment to read `VECRON__SECTION__KEY` from (the CLI passes `process.env`). @default {} */
  env?: Record<string, string | undefined>;
  /** Last layer, for tests and embedding hosts. */
  overrides?: ServerConfigOverrides;
}

type Tree = Record<string, unknown>;

/** The package's own `config/default.toml`, found from source (`src/config`) or from a bundle (`dist`). */
export function bundledDefaultPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const rel of ['../../config', '../config', '../../../config']) {
    const file = path.resolve(here, rel, 'default.toml');
    if (existsSync(file)) return file;
  }
  throw new ConfigError('server configuration', [{ path: 'config/default.toml', message: `not found near ${here}` }]);
}

function readToml(file: string): Tree {
  try {
    return parseToml(readFileSync(file, 'utf8')) as Tree;
  } catch (err) {
    throw new ConfigError('server configuration', [{ path: file, message: (err as Error).message.split('\n')[0] ?? 'unreadable' }]);
  }
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Tree, v as Tree) : v;
  }
  return out;
}

/** Env values: JSON when they parse (numbers, booleans, arrays), else the raw string. */
function envValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** `VECRON__API__PORT=8080` → `{ api: { port: 8080 } }`. */
export function envLayer(env: Record<string, string | undefined>): Tree {
  const out: Tree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('VECRON__') || raw === undefined) continue;
    const parts = name.slice('VECRON__'.length).toLowerCase().split('__').filter(Boolean);
    if (parts.length !== 2) {
      throw new ConfigError('server configuration', [{ path: name, message: 'must look like VECRON__SECTION__KEY' }]);
    }
    const [section, key] = parts as [string, string];
    const sec = (out[section] ??= {}) as Tree;
    // A string key that the schema wants as a string stays a string even when it looks like JSON.
    sec[key] = envValue(raw);
  }
  return out;
}

/** Keys whose value may be `${ENV_VAR}`, read from the environment at start-up (kept out of files); `*` is any key. */
const SECRET_REFS: string[][] = [
  ['alerts', 'email', 'password'],
  ['executors', 'database_connections', '*', 'connection_string'],
];

/** Replaces `${NAME}` in the keys of {@link SECRET_REFS} with `env[NAME]`; an unset variable is a ConfigError. */
function resolveSecretRefs(tree: Tree, env: Record<string, string | undefined>): Tree {
  const visit = (node: unknown, rest: string[], at: string[]): void => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    const holder = node as Tree;
    const [head, ...tail] = rest as [string, ...string[]];
    for (const key of head === '*' ? Object.keys(holder) : [head]) {
      if (tail.length) {
        visit(holder[key], tail, [...at, key]);
        continue;
      }
      const raw = holder[key];
      const m = typeof raw === 'string' ? /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(raw) : null;
      if (!m) continue;
      const value = env[m[1]!];
      if (value === undefined || value === '') {
        throw new ConfigError('server configuration', [{ path: `$.${[...at, key].join('.')}`, message: `refers to the environment variable ${m[1]!}, which is not set` }]);
      }
      holder[key] = value;
    }
  };
  for (const ref of SECRET_REFS) visit(tree, ref, []);
  return tree;
}

/**
 * Loads the layered configuration: the bundled `default.toml`, then `{configDir}/default.toml`
 * and `{configDir}/local.toml` when present, then `VECRON__SECTION__KEY` variables, then
 * `overrides`. Throws `ConfigError` naming every bad key (`$.api.port: …`).
 */
export function loadConfig(options: LoadConfigOptions = {}): ServerConfig {
  const dir = path.resolve(options.configDir ?? 'config');
  let tree = readToml(bundledDefaultPath());
  for (const name of ['default.toml', 'local.toml']) {
    const file = path.join(dir, name);
    if (existsSync(file) && path.resolve(file) !== bundledDefaultPath()) tree = merge(tree, readToml(file));
  }
  const env = envLayer(options.env ?? {});
  // Keep string-typed keys as strings when the env value happened to parse as JSON (e.g. a numeric password).
  for (const [section, keys] of Object.entries(env)) {
    const base = tree[section] as Tree | undefined;
    for (const [key, value] of Object.entries(keys as Tree)) {
      if (typeof base?.[key] === 'string' && typeof value !== 'string') (keys as Tree)[key] = JSON.stringify(value);
    }
  }
  tree = merge(tree, env);
  if (options.overrides) tree = merge(tree, options.overrides as Tree);
  tree = resolveSecretRefs(tree, options.env ?? {});
  const r = serverConfigSchema.safeParse(tree);
  if (!r.success) throw new ConfigError('server configuration', zodIssues(r.error));
  return r.data;
}
