/**
 * Compiles a template string into literal runs, `${NAME}` variables and `{{ … }}` references.
 * A hand-written scanner: no regex over the whole expression, no eval, nothing executable.
 *
 * Grammar inside `{{ }}` (whitespace allowed between tokens):
 * ```
 * expression := operand ( '|' filter )*
 * filter     := name ( ':' operand )*
 * operand    := string | number | true | false | null | path
 * path       := root ( '.' key | '[' digits ']' | '[' string ']' )*
 * string     := '…' or "…" with JSON's backslash escapes (\n \t \uXXXX …); \' and any other
 *               escaped character stand for that character
 * ```
 * Outside braces: `$${` is a literal `${`. `{{` always opens a reference: in a run of `{` the
 * last two open it (`{{{x}}}` is `{` + x + `}`), and dollars right before it are literal
 * (`${{x}}` is `$` + x).
 */
import type { CompiledTemplate, FilterCall, Operand, PathSegment, ReferenceNode, TemplatePart } from './ast.js';
import { checkFilterCall, isTemplateFilter, TEMPLATE_FILTERS } from './filters.js';
import { TemplateSyntaxFailure } from './syntax-failure.js';

/** Names a `${NAME}` variable may have. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The roots a `{{ }}` path may start with. */
export const REFERENCE_ROOTS = ['steps', 'webhook', 'payload', 'job_id', 'execution_id', 'execution_date', 'scheduled_for'] as const;

const WEBHOOK_PARTS = ['payload', 'headers', 'query_params'];
/** `output` (alias `response`): the step's result; `finished_at` (alias `completed_at`): when it finished, ISO-8601 UTC. */
const STEP_PARTS = ['output', 'response', 'finished_at', 'completed_at'];

const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
const isKeyChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_-]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** JSON's escapes; any other escaped character stands for itself (`\'`, `\"`, `\\`). */
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

const CACHE_LIMIT = 2048;
const cache = new Map<string, CompiledTemplate>();

/**
 * Compiles `source`, memoised (the same config strings are rendered on every execution).
 * Throws {@link TemplateSyntaxFailure} for a malformed template.
 */
export function compileTemplate(source: string): CompiledTemplate {
  const hit = cache.get(source);
  if (hit) return hit;
  const compiled = new Scanner(source).scan();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, compiled);
  return compiled;
}

class Scanner {
  private i = 0;
  private readonly parts: TemplatePart[] = [];
  private text = '';
  private escaped = false;

  constructor(private readonly s: string) {}

  scan(): CompiledTemplate {
    const s = this.s;
    // Fast path: nothing that could start a template.
    if (!s.includes('${') && !s.includes('{{')) return { parts: [s], identity: true };
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '$' && s[this.i + 1] === '$' && s[this.i + 2] === '{' && s[this.i + 3] !== '{') {
        this.text += '${';
        this.escaped = true;
        this.i += 3;
      } else if (c === '$' && s[this.i + 1] === '{' && s[this.i + 2] !== '{') {
        this.variable();
      } else if (c === '{' && s[this.i + 1] === '{' && s[this.i + 2] !== '{') {
        this.reference();
      } else {
        this.text += c;
        this.i++;
      }
    }
    this.flush();
    const identity = !this.escaped && this.parts.every((p) => typeof p === 'string');
    return { parts: this.parts, identity };
  }

  private flush(): void {
    if (this.text) this.parts.push(this.text);
    this.text = '';
  }

  private fail(message: string, start: number, filter?: string): never {
    const close = this.s.indexOf('}', start);
    const end = close < 0 ? this.s.length : Math.min(this.s.length, close + (this.s[close + 1] === '}' ? 2 : 1));
    throw new TemplateSyntaxFailure(message, start, this.s.slice(start, end), filter);
  }

  private variable(): void {
    const start = this.i;
    const close = this.s.indexOf('}', start + 2);
    if (close < 0) this.fail(`unclosed "\${" at column ${start + 1}; write $\${ for a literal "\${"`, start);
    const name = this.s.slice(start + 2, close);
    if (!VARIABLE_NAME.test(name)) {
      this.fail(
        `invalid variable name "${name}" at column ${start + 1}: a name is letters, digits and _ and does not start with a digit; write $\${ for a literal "\${"`,
        start,
      );
    }
    this.flush();
    this.parts.push({ type: 'variable', name });
    this.i = close + 1;
  }

  private reference(): void {
    const start = this.i;
    this.i += 2;
    const primary = this.operand(start, true);
    const filters: FilterCall[] = [];
    this.space();
    while (this.s[this.i] === '|') {
      this.i++;
      this.space();
      const nameAt = this.i;
      if (!isIdentStart(this.s[this.i])) this.unexpected(start, 'a filter name');
      while (isIdentChar(this.s[this.i])) this.i++;
      const name = this.s.slice(nameAt, this.i);
      if (!isTemplateFilter(name)) {
        this.fail(`unknown filter "${name}" at column ${nameAt + 1}; known filters: ${TEMPLATE_FILTERS.join(', ')}`, start, name);
      }
      const args: Operand[] = [];
      this.space();
      while (this.s[this.i] === ':') {
        this.i++;
        args.push(this.operand(start, false));
        this.space();
      }
      const call = { name, args };
      const problem = checkFilterCall(call);
      if (problem) this.fail(`${problem} (column ${nameAt + 1})`, start, name);
      filters.push(call);
    }
    if (this.s[this.i] !== '}' || this.s[this.i + 1] !== '}') {
      if (this.i >= this.s.length) this.fail(`unclosed "{{" at column ${start + 1}`, start);
      this.unexpected(start, '"}}"');
    }
    this.i += 2;
    const node: ReferenceNode = { type: 'reference', expression: this.s.slice(start + 2, this.i - 2).trim(), primary, filters };
    this.flush();
    this.parts.push(node);
  }

  private unexpected(start: number, wanted: string): never {
    if (this.i >= this.s.length) this.fail(`unclosed "{{" at column ${start + 1}`, start);
    this.fail(`unexpected ${JSON.stringify(this.s[this.i])} at column ${this.i + 1}, expected ${wanted}`, start);
  }

  private space(): void {
    while (isSpace(this.s[this.i])) this.i++;
  }

  private operand(start: number, primary: boolean): Operand {
    this.space();
    const c = this.s[this.i];
    if (c === "'" || c === '"') return { type: 'literal', value: this.string(start) };
    if (!primary && (isDigit(c) || ((c === '-' || c === '+') && isDigit(this.s[this.i + 1])))) {
      const at = this.i;
      this.i++;
      while (isDigit(this.s[this.i])) this.i++;
      if (this.s[this.i] === '.' && isDigit(this.s[this.i + 1])) {
        this.i++;
        while (isDigit(this.s[this.i])) this.i++;
      }
      return { type: 'literal', value: Number(this.s.slice(at, this.i)) };
    }
    if (!isIdentStart(c)) this.unexpected(start, primary ? 'a reference such as steps.<id>.output' : 'an argument');
    const rootAt = this.i;
    while (isIdentChar(this.s[this.i])) this.i++;
    const root = this.s.slice(rootAt, this.i);
    const next = this.s[this.i];
    if (!primary && next !== '.' && next !== '[' && (root === 'true' || root === 'false' || root === 'null')) {
      return { type: 'literal', value: root === 'null' ? null : root === 'true' };
    }
    const segments = this.segments(start);
    this.checkRoot(root, segments, start, rootAt);
    return { type: 'path', root, segments };
  }

  private segments(start: number): PathSegment[] {
    const segments: PathSegment[] = [];
    for (;;) {
      const c = this.s[this.i];
      if (c === '.') {
        this.i++;
        const at = this.i;
        while (isKeyChar(this.s[this.i])) this.i++;
        if (at === this.i) this.unexpected(start, 'a field name after "."');
        segments.push({ kind: 'key', key: this.s.slice(at, this.i) });
      } else if (c === '[') {
        this.i++;
        this.space();
        const q = this.s[this.i];
        if (q === "'" || q === '"') {
          segments.push({ kind: 'key', key: this.string(start) });
        } else if (isDigit(q)) {
          const at = this.i;
          while (isDigit(this.s[this.i])) this.i++;
          const index = Number(this.s.slice(at, this.i));
          if (!Number.isSafeInteger(index)) this.fail(`index ${this.s.slice(at, this.i)} is too large`, start);
          segments.push({ kind: 'index', index });
        } else {
          this.unexpected(start, 'an index such as [0] or a quoted key such as ["name"]');
        }
        this.space();
        if (this.s[this.i] !== ']') this.unexpected(start, '"]"');
        this.i++;
      } else {
        return segments;
      }
    }
  }

  private string(start: number): string {
    const quote = this.s[this.i];
    this.i++;
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === quote) {
        this.i++;
        return out;
      }
      if (c === '\\' && this.i + 1 < this.s.length) {
        const e = this.s[this.i + 1]!;
        const hex = this.s.slice(this.i + 2, this.i + 6);
        if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(hex)) {
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 6;
        } else {
          out += ESCAPES[e] ?? e;
          this.i += 2;
        }
      } else {
        out += c;
        this.i++;
      }
    }
    return this.fail(`unclosed string in "{{" at column ${start + 1}`, start);
  }

  private checkRoot(root: string, segments: readonly PathSegment[], start: number, at: number): void {
    const col = `column ${at + 1}`;
    switch (root) {
      case 'steps': {
        const [id, part] = segments;
        if (id?.kind !== 'key' || part?.kind !== 'key' || !STEP_PARTS.includes(part.key)) {
          this.fail(`a step reference is steps.<step-id>.output.<path> (or .response), or steps.<step-id>.finished_at (or .completed_at) (${col})`, start);
        }
        return;
      }
      case 'webhook': {
        const [part] = segments;
        if (part?.kind !== 'key' || !WEBHOOK_PARTS.includes(part.key)) {
          this.fail(`a webhook reference is webhook.payload.<path>, webhook.headers.<name> or webhook.query_params.<name> (${col})`, start);
        }
        return;
      }
      case 'payload':
        return;
      case 'job_id':
      case 'execution_id':
      case 'execution_date':
      case 'scheduled_for':
        if (segments.length > 0) this.fail(`"${root}" has no fields (${col})`, start);
        return;
      default:
        this.fail(`unknown reference "${root}" (${col}); a reference starts with ${REFERENCE_ROOTS.join(', ')}`, start);
    }
  }
}
