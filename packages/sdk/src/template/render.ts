/**
 * `renderTemplate`: substitutes `${NAME}` variables and `{{ … }}` references in every string of a
 * JSON value. Pure data in, data out; nothing is evaluated as code.
 */
import { ScheduleError, TemplateError } from '../errors/errors.js';
import { toJsonPath } from '../errors/zod-issues.js';
import { formatPath, type FilterCall, type Operand, type ReferenceNode, type TemplatePart } from './ast.js';
import { compileDateFormat, compileDateOffset, formatInstant, type DateFormat, type DateOffset } from './date-format.js';
import { compileTemplate } from './parse.js';
import { InvalidValue, isReservedKey, resolvePath, toEpochMs, Unresolved } from './resolve.js';
import type { TemplateScope } from './scope.js';
import { DEFAULT_TIME_ZONE } from '../time/zoned.js';
import { TemplateSyntaxFailure } from './syntax-failure.js';
import { isPlainObject } from './walk.js';

/** Options of {@link renderTemplate}. */
export interface RenderTemplateOptions {
  /**
   * JSON path of `value` inside the document it comes from, prefixed to the `jsonPath` that
   * errors report (e.g. `'$.steps[2].config'`).
   * @default '$'
   */
  basePath?: string;
  /**
   * Subtrees to leave exactly as they are, by JSON path relative to `value` written as
   * `toJsonPath` prints it (e.g. `(p) => p === '$.query'` keeps SQL text unsubstituted; its values
   * go in as bind parameters). Called for every object member and array item.
   * @default undefined (render everything)
   */
  skip?: (jsonPath: string) => boolean;
}

/**
 * Renders every string inside `value` (objects and arrays are walked; keys are never substituted).
 *
 * - `${NAME}` is replaced by `scope.variables[NAME]`; `$${` is a literal `${`.
 * - `{{ path | filter:arg }}` is replaced by the referenced value (see the module docs for paths
 *   and filters); `{{ '{{' }}` is a literal `{{`.
 * - A string that is exactly one `${NAME}` or one `{{ … }}` (no other characters, not even
 *   spaces) becomes the referenced value with its JSON type: array, object, number, boolean or
 *   null. Inside a longer string a value is printed: strings as they are, numbers and booleans
 *   with `String`, `null` as `null`, objects and arrays with `JSON.stringify`.
 * - Template-free subtrees are returned as the same object (reference-equal); referenced values
 *   are shared with `scope`, not copied — treat the result as read-only.
 *
 * @throws TemplateError (code `TEMPLATE_UNRESOLVED`) when a variable or path does not exist, a
 *   template is malformed or names an unknown filter, or a value cannot be filtered (e.g. a date
 *   filter on a non-date). `error.path` is what was missing (`steps.fetch.output.rows[3].id`,
 *   `${API_TOKEN}`); `error.details.jsonPath` is where the template sits (`$.config.url`);
 *   `error.details.reason` is `missing`, `malformed` or `invalid_value`.
 *
 * @example
 * ```ts
 * renderTemplate(
 *   { url: '${API_URL}/orders/{{steps.fetch.output.rows[0].id}}', ids: '{{steps.fetch.output.rows}}' },
 *   scope,
 * ); // → { url: 'https://api…/orders/17', ids: [{ id: 17 }, …] }
 * ```
 */
export function renderTemplate(value: unknown, scope: TemplateScope, options: RenderTemplateOptions = {}): unknown {
  const walker = new Walker(scope, options);
  return walker.walk(value);
}

class Walker {
  private readonly stack: Array<string | number> = [];
  private readonly basePath: string;

  constructor(
    private readonly scope: TemplateScope,
    private readonly options: RenderTemplateOptions,
  ) {
    this.basePath = options.basePath ?? '$';
  }

  jsonPath(): string {
    return this.basePath + toJsonPath(this.stack).slice(1);
  }

  walk(value: unknown): unknown {
    if (typeof value === 'string') return this.string(value);
    if (Array.isArray(value)) return this.array(value);
    if (isPlainObject(value)) return this.object(value);
    return value;
  }

  private child(value: unknown, key: string | number): unknown {
    this.stack.push(key);
    try {
      if (this.options.skip && this.options.skip(toJsonPath(this.stack))) return value;
      return this.walk(value);
    } finally {
      this.stack.pop();
    }
  }

  private array(value: readonly unknown[]): unknown {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const rendered = this.child(item, i);
      if (out) out.push(rendered);
      else if (rendered !== item) {
        out = value.slice(0, i);
        out.push(rendered);
      }
    }
    return out ?? value;
  }

  private object(value: Record<string, unknown>): unknown {
    let changed = false;
    const entries = Object.keys(value).map((key): [string, unknown] => {
      const item = value[key];
      const rendered = this.child(item, key);
      if (rendered !== item) changed = true;
      return [key, rendered];
    });
    // Object.fromEntries defines own properties, so a "__proto__" key stays a plain key.
    return changed ? Object.fromEntries(entries) : value;
  }

  private string(source: string): unknown {
    let compiled;
    try {
      compiled = compileTemplate(source);
    } catch (err) {
      if (err instanceof TemplateSyntaxFailure) throw err.toTemplateError(this.jsonPath());
      throw err;
    }
    if (compiled.identity) return source;
    const { parts } = compiled;
    if (parts.length === 1 && typeof parts[0] !== 'string') return this.part(parts[0]!);
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : toText(this.part(part));
    return out;
  }

  private part(part: Exclude<TemplatePart, string>): unknown {
    if (part.type === 'variable') {
      const vars = this.scope.variables;
      if (isReservedKey(part.name) || !Object.hasOwn(vars, part.name) || vars[part.name] === undefined) {
        const jsonPath = this.jsonPath();
        throw new TemplateError(
          `${jsonPath}: variable \${${part.name}} is not defined (neither a job variable nor a global one)`,
          `\${${part.name}}`,
          { details: { jsonPath, reason: 'missing', variable: part.name } },
        );
      }
      return vars[part.name];
    }
    try {
      return evaluate(part, this.scope);
    } catch (err) {
      const jsonPath = this.jsonPath();
      const expression = part.expression;
      if (err instanceof Unresolved) {
        throw new TemplateError(`${jsonPath}: {{${expression}}} cannot be resolved: ${err.message}`, err.path, {
          details: { jsonPath, reason: 'missing', missing: err.missing, expression, ...err.extra },
        });
      }
      if (err instanceof InvalidValue) {
        throw new TemplateError(`${jsonPath}: {{${expression}}}: ${err.message}`, operandText(part.primary), {
          details: { jsonPath, reason: 'invalid_value', expression },
        });
      }
      throw err;
    }
  }
}

function operandText(op: Operand): string {
  return op.type === 'path' ? formatPath(op.root, op.segments) : JSON.stringify(op.value);
}

function operandValue(op: Operand, scope: TemplateScope): unknown {
  return op.type === 'literal' ? op.value : resolvePath(op, scope);
}

function evaluate(node: ReferenceNode, scope: TemplateScope): unknown {
  const { filters } = node;
  let value: unknown;
  let i = 0;
  try {
    value = operandValue(node.primary, scope);
  } catch (err) {
    // `| default:x` right after the reference also covers a missing path.
    if (!(err instanceof Unresolved) || filters[0]?.name !== 'default') throw err;
    value = operandValue(filters[0].args[0]!, scope);
    i = 1;
  }
  for (; i < filters.length; i++) value = applyFilter(filters[i]!, value, node, scope);
  return value;
}

const dateFormats = new Map<string, DateFormat>();
const dateOffsets = new Map<string, DateOffset[]>();

function cached<T>(map: Map<string, T>, key: string, make: (k: string) => T): T {
  let v = map.get(key);
  if (v === undefined) {
    if (map.size >= 512) map.clear();
    v = make(key);
    map.set(key, v);
  }
  return v;
}

function applyFilter(filter: FilterCall, value: unknown, node: ReferenceNode, scope: TemplateScope): unknown {
  switch (filter.name) {
    case 'default':
      return value === null ? operandValue(filter.args[0]!, scope) : value;
    case 'json': {
      const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      return text ?? 'null';
    }
    case 'url_encode':
      return encodeURIComponent(toText(value));
    case 'date': {
      const what = operandText(node.primary);
      if (value === null) {
        throw new InvalidValue(`${what} is null, so there is no date to format (add | default:<value> before | date)`);
      }
      const epochMs = toEpochMs(value, what);
      const format = cached(dateFormats, filter.args[0]!.type === 'literal' ? String(filter.args[0]!.value) : '', compileDateFormat);
      const offsetArg = filter.args[1];
      const offsets = offsetArg?.type === 'literal' ? cached(dateOffsets, String(offsetArg.value), compileDateOffset) : [];
      const timeZone = scope.timezone ?? DEFAULT_TIME_ZONE;
      try {
        return formatInstant(epochMs, timeZone, format, offsets);
      } catch (err) {
        if (err instanceof ScheduleError) throw new InvalidValue(`unknown time zone "${timeZone}"`);
        throw err;
      }
    }
    default:
      // The compiler rejects unknown filters; this guards a future filter without a case.
      throw new InvalidValue(`unknown filter "${filter.name}"`);
  }
}

/** How a value is printed inside a longer string. */
export function toText(value: unknown): string {
  switch (typeof value) {
    case 'string': return value;
    case 'number':
    case 'boolean':
    case 'bigint': return String(value);
    case 'undefined': return 'null';
    default:
      if (value === null) return 'null';
      if (value instanceof Date) return value.toISOString();
      return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
  }
}
