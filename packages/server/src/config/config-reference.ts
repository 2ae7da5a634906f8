import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { serverConfigSchema } from './config-schema.js';
import { bundledDefaultPath } from './load-config.js';

/**
 * The configuration reference (docs/configuration.md), generated so it cannot drift: every key,
 * its type and bounds from the zod schema, its default from the bundled `default.toml`, its
 * description from the comment above it in that file, and the environment variable that sets it.
 * A test regenerates it and compares (`pnpm --filter @vecron/server run config-reference` writes it).
 */

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  required?: string[];
}

/** One row of the reference. */
export interface ConfigKey {
  /** Dotted path: `api.port`, `alerts.email.host`, `executors.database_connections.<name>.pool_max`. */
  path: string;
  type: string;
  /** TOML text of the default, or "" for keys of a named entry (they have none). */
  default: string;
  /** The environment variable that sets the key (or the JSON object holding it). */
  env: string;
  description: string;
  required: boolean;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function typeOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.type === 'array') return `list of ${typeOf(s.items ?? {})}`;
  if (s.type === 'object') return 'table';
  if (s.type === 'integer' || s.type === 'number') {
    const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : s.minimum;
    const max = s.maximum !== undefined && s.maximum < MAX_SAFE ? s.maximum : undefined;
    const range = min !== undefined && max !== undefined ? ` ${min}–${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : '';
    return `${s.type}${range}`;
  }
  if (s.type === 'string') {
    if (s.format === 'email') return 'e-mail address';
    if (s.format === 'uri') return 'URL';
    return s.minLength ? 'non-empty string' : 'string';
  }
  return s.type ?? 'any';
}

/** Comments above each `key = value` of default.toml, by dotted path (blank lines end a comment). */
export function tomlComments(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  let comment: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const sec = /^\[([a-z0-9_.]+)\]$/.exec(line);
    if (sec) {
      section = sec[1]!;
      comment = [];
    } else if (line.startsWith('#')) {
      comment.push(line.replace(/^#\s?/, ''));
    } else if (!line) {
      comment = [];
    } else {
      const key = /^([a-z0-9_]+)\s*=/.exec(line)?.[1];
      if (key && section) out.set(`${section}.${key}`, comment.join(' ').replace(/\s+/g, ' ').trim());
      comment = [];
    }
  }
  return out;
}

const tomlValue = (v: unknown): string => (v === undefined ? '' : typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0 ? '{}' : JSON.stringify(v));

/** Every key of the server configuration. */
export function configKeys(): ConfigKey[] {
  const schema = z.toJSONSchema(serverConfigSchema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  const text = readFileSync(bundledDefaultPath(), 'utf8');
  const defaults = parseToml(text) as Record<string, unknown>;
  const comments = tomlComments(text);
  const rows: ConfigKey[] = [];
  const walk = (s: JsonSchema, at: string[], dflt: unknown, entry: boolean): void => {
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      const here = [...at, key];
      const d = (dflt as Record<string, unknown> | undefined)?.[key];
      if (sub.type === 'object' && sub.properties) {
        walk(sub, here, d, entry);
        continue;
      }
      const envPath = here.length <= 2 ? here : here.slice(0, 2);
      const env = `VECRON__${envPath.join('__').toUpperCase()}${here.length > 2 ? ` (JSON: ${here.slice(2).join('.')})` : ''}`;
      const named = typeof sub.additionalProperties === 'object' && sub.additionalProperties.properties;
      rows.push({
        path: here.join('.'),
        type: named ? `table of name → entry (below)` : sub.type === 'object' && typeof sub.additionalProperties === 'object' ? `table of string → ${typeOf(sub.additionalProperties)}` : typeOf(sub),
        default: entry ? '' : tomlValue(d),
        env: entry ? `inside ${env.split(' ')[0]}` : env,
        description: comments.get(here.join('.')) ?? '',
        required: !entry || (s.required ?? []).includes(key),
      });
      if (named) walk(sub.additionalProperties as JsonSchema, [...here, '<name>'], undefined, true);
    }
  };
  walk(schema, [], defaults, false);
  return rows;
}

/** docs/configuration.md. */
export function renderConfigReference(): string {
  const rows = configKeys();
  const sections = [...new Set(rows.map((r) => r.path.split('.')[0]!))];
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const out = [
    '# Configuration reference',
    '',
    '<!-- Generated from the zod schema (packages/server/src/config/config-schema.ts) and the bundled',
    '     packages/server/config/default.toml by `pnpm --filter @vecron/server run config-reference`.',
    '     Do not edit by hand: a test fails when this file and the schema disagree. -->',
    '',
    'The server reads, in order (later wins): the bundled `config/default.toml`, `default.toml` and',
    '`local.toml` in the config folder (`--config DIR`, `$VECRON_CONFIG_DIR`, else `./config`), then',
    'environment variables `VECRON__SECTION__KEY` (a value that parses as JSON is taken as JSON: numbers,',
    'booleans, lists, tables). A bad value stops start-up with exit code 2, naming the key.',
    '`alerts.email.password` and `executors.database_connections.<name>.connection_string` may hold',
    '`"${NAME}"` to read a secret from the environment variable NAME at start-up.',
    '',
    `${rows.length} keys in ${sections.length} sections.`,
    '',
  ];
  for (const section of sections) {
    out.push(`## \`[${section}]\``, '', '| key | type | default | environment variable | description |', '|---|---|---|---|---|');
    for (const r of rows.filter((x) => x.path.split('.')[0] === section)) {
      out.push(`| \`${r.path}\`${r.required ? '' : ' (optional)'} | ${cell(r.type)} | ${r.default ? `\`${cell(r.default)}\`` : ''} | \`${cell(r.env)}\` | ${cell(r.description)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
