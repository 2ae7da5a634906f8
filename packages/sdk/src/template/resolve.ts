/**
 * Looks up one `{{ … }}` path in a {@link TemplateScope}. Reads own data properties only and never
 * `__proto__`, `constructor` or `prototype`, so a template cannot reach the prototype chain.
 */
import { formatPath, type PathOperand, type PathSegment } from './ast.js';
import type { TemplateScope } from './scope.js';

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Internal: a path that does not exist. Turned into a `TemplateError` by the renderer. */
export class Unresolved extends Error {
  constructor(
    /** The whole path the template asked for. */
    readonly path: string,
    /** The shortest prefix of `path` that does not exist. */
    readonly missing: string,
    reason: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(reason);
    this.name = 'Unresolved';
  }
}

/** Internal: a value exists but cannot be used as asked (not a date, bad scope value). */
export class InvalidValue extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidValue';
  }
}

/** True for the names a path never reads. */
export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.has(key);
}

/** The value of own key `key` of a plain record, or `undefined`. */
export function ownValue(record: unknown, key: string): unknown {
  if (typeof record !== 'object' || record === null || isReservedKey(key)) return undefined;
  return Object.hasOwn(record, key) ? (record as Record<string, unknown>)[key] : undefined;
}

/** Epoch milliseconds of an ISO-8601 string, epoch number or Date. */
export function toEpochMs(value: unknown, what: string): number {
  let ms = Number.NaN;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = Date.parse(value);
  else if (value instanceof Date) ms = value.getTime();
  if (!Number.isFinite(ms)) {
    const kind = value === null ? 'null' : typeof value === 'string' ? 'a string that is not a date' : describe(value);
    throw new InvalidValue(`${what} is ${kind}, not a date (ISO-8601 string or epoch milliseconds)`);
  }
  return ms;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'empty (no value)';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' ? 'an object' : `a ${t}`;
}

/** Resolves `operand` against `scope`. Throws {@link Unresolved} or {@link InvalidValue}. */
export function resolvePath(operand: PathOperand, scope: TemplateScope): unknown {
  const { root, segments } = operand;
  const full = (): string => formatPath(root, segments);
  switch (root) {
    case 'job_id':
      return scope.job_id;
    case 'execution_id':
      return scope.execution_id;
    case 'execution_date':
      return new Date(toEpochMs(scope.execution_date, 'execution_date')).toISOString();
    case 'scheduled_for':
      return scope.scheduled_for === null || scope.scheduled_for === undefined
        ? null
        : new Date(toEpochMs(scope.scheduled_for, 'scheduled_for')).toISOString();
    case 'steps': {
      const id = (segments[0] as { key: string }).key;
      const entry = ownValue(scope.steps, id);
      if (entry === undefined) {
        const available = Object.keys(scope.steps);
        throw new Unresolved(
          full(),
          formatPath(root, segments, 1),
          `there is no output of step "${id}": it has not run before this step, or no step has that id (available: ${available.length ? available.join(', ') : 'none'})`,
          { stepId: id, availableSteps: available },
        );
      }
      const part = (segments[1] as { key: string }).key;
      if (part === 'finished_at' || part === 'completed_at') {
        const at = ownValue(entry, 'finished_at');
        if (at === undefined || segments.length > 2) {
          throw new Unresolved(full(), formatPath(root, segments, 2), `step "${id}" has no finish time${segments.length > 2 ? ' with sub-fields (it is an ISO-8601 string)' : ''}`, { stepId: id });
        }
        return at;
      }
      return descend(ownValue(entry, 'output'), operand, 2);
    }
    case 'payload': {
      if (scope.payload === undefined) {
        throw new Unresolved(full(), 'payload', 'this execution was started without a payload (cron.trigger(job, { payload }) or a webhook body)');
      }
      return descend(scope.payload, operand, 0);
    }
    case 'webhook': {
      if (!scope.webhook) {
        throw new Unresolved(full(), 'webhook', 'this execution was not triggered by a webhook, so there is no webhook request');
      }
      const part = (segments[0] as { key: string }).key;
      const base = ownValue(scope.webhook, part);
      if (part === 'headers' && segments[1]?.kind === 'key') {
        // HTTP header names are case-insensitive.
        const name = segments[1].key;
        let value = ownValue(base, name);
        if (value === undefined && base && typeof base === 'object' && !isReservedKey(name)) {
          const lower = name.toLowerCase();
          const key = Object.keys(base).find((k) => k.toLowerCase() === lower);
          if (key !== undefined) value = ownValue(base, key);
        }
        if (value === undefined) {
          throw new Unresolved(full(), formatPath(root, segments, 2), `the webhook request has no header "${name}"`);
        }
        return descend(value, operand, 2);
      }
      return descend(base, operand, 1);
    }
    default:
      // The compiler only lets known roots through.
      throw new Unresolved(full(), root, `unknown reference "${root}"`);
  }
}

/** Walks `segments[from…]` starting at `value`, which is the value of the first `from` segments. */
function descend(value: unknown, operand: PathOperand, from: number): unknown {
  const { root, segments } = operand;
  let current = value;
  for (let i = from; i < segments.length; i++) {
    const seg = segments[i]!;
    const here = formatPath(root, segments, i);
    const next = step(current, seg);
    if (next !== undefined) {
      current = next;
      continue;
    }
    const missing = formatPath(root, segments, i + 1);
    throw new Unresolved(formatPath(root, segments), missing, whyMissing(current, seg, here));
  }
  if (current === undefined) {
    const missing = formatPath(root, segments);
    throw new Unresolved(missing, missing, `${missing} has no value`);
  }
  return current;
}

function step(container: unknown, seg: PathSegment): unknown {
  if (Array.isArray(container)) {
    const index = seg.kind === 'index' ? seg.index : /^(?:0|[1-9]\d*)$/.test(seg.key) ? Number(seg.key) : -1;
    return index >= 0 && index < container.length ? container[index] : undefined;
  }
  if (typeof container !== 'object' || container === null) return undefined;
  return ownValue(container, seg.kind === 'index' ? String(seg.index) : seg.key);
}

function whyMissing(container: unknown, seg: PathSegment, here: string): string {
  const wanted = seg.kind === 'index' ? `[${seg.index}]` : `field "${seg.key}"`;
  if (seg.kind === 'key' && isReservedKey(seg.key)) return `${wanted} is never read (reserved name)`;
  if (Array.isArray(container)) {
    if (seg.kind === 'key' && !/^\d+$/.test(seg.key)) return `${here} is an array; it has no ${wanted}`;
    const n = container.length;
    return `${here} has ${n} item${n === 1 ? '' : 's'}, so there is no ${seg.kind === 'index' ? wanted : `[${seg.key}]`}`;
  }
  if (typeof container === 'object' && container !== null) return `${here} has no ${wanted}`;
  return `${here} is ${describe(container)}; it has no ${wanted}`;
}
