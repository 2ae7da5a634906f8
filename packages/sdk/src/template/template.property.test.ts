import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TemplateError } from '../errors/errors.js';
import { renderTemplate, toText } from './render.js';
import type { TemplateScope } from './scope.js';

const RUNS = { numRuns: 1000 };

const baseScope: TemplateScope = {
  variables: { A: 'alpha' },
  steps: {},
  job_id: 'job',
  execution_id: 'exec',
  execution_date: 0,
  scheduled_for: null,
  timezone: 'UTC',
};

const hasTemplate = (s: string): boolean => s.includes('${') || s.includes('{{');

function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsOf(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => stringsOf(v, out));
  return out;
}

/** Strings rich in the characters templates are made of, but without `${` or `{{`. */
const trickyString = fc
  .string({ unit: fc.constantFrom('$', '{', '}', '|', '[', ']', '.', "'", '"', '\\', ' ', 'a', 'é', '😀') })
  .filter((s) => !hasTemplate(s));

const trickyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    trickyString,
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string(), trickyString), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('template properties', () => {
  it('rendering a template-free JSON value is the identity (same reference, deep-equal)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), trickyJson), (value) => {
        fc.pre(!stringsOf(value).some(hasTemplate));
        const before = structuredClone(value);
        const out = renderTemplate(value, baseScope);
        expect(out).toBe(value);
        expect(out).toEqual(before);
      }),
      RUNS,
    );
  });

  const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
  const key = fc.string().filter((k) => !RESERVED.has(k));
  const segment = fc.oneof(key.map((k) => ({ key: k })), fc.nat({ max: 4 }).map((i) => ({ index: i })));
  const quote = (k: string): string => JSON.stringify(k);

  /** Puts `value` at `path` under a fresh container; returns the container and the template text. */
  function place(value: unknown, path: ReadonlyArray<{ key: string } | { index: number }>): { output: unknown; ref: string } {
    let node: unknown = value;
    for (let i = path.length - 1; i >= 0; i--) {
      const seg = path[i]!;
      if ('index' in seg) {
        const arr: unknown[] = Array.from({ length: seg.index }, (_, j) => j);
        arr.push(node);
        node = arr;
      } else {
        node = Object.fromEntries([['filler', 1], [seg.key, node]]);
      }
    }
    const ref = path.map((seg) => ('index' in seg ? `[${seg.index}]` : `[${quote(seg.key)}]`)).join('');
    return { output: node, ref: `steps.s.output${ref}` };
  }

  it('a single-reference template returns the referenced value itself (any JSON value, any path; -0 kept)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(segment, { maxLength: 4 }), fc.boolean(), (value, path, spaced) => {
        const { output, ref } = place(value, path);
        const scope = { ...baseScope, steps: { s: { output } } };
        const out = renderTemplate(spaced ? `{{ ${ref} }}` : `{{${ref}}}`, scope);
        expect(Object.is(out, value) || out === value).toBe(true);
        expect(out).toStrictEqual(value);
      }),
      RUNS,
    );
  });

  it('inside a longer string a value is printed: objects and arrays as JSON.stringify', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(segment, { maxLength: 3 }), trickyString, (value, path, prefix) => {
        const { output, ref } = place(value, path);
        const scope = { ...baseScope, steps: { s: { output } } };
        const out = renderTemplate(`<${prefix}{{${ref}}}>`, scope);
        // `${{` is a literal `$` before a reference and `{{{` a literal `{` before one, so any prefix works.
        const expected = typeof value === 'string' ? value : value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);
        expect(out).toBe(`<${prefix}${expected}>`);
        expect(toText(value)).toBe(expected);
      }),
      RUNS,
    );
  });

  it('${NAME} substitution inserts the variable text verbatim, whatever it contains', () => {
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((n) => !RESERVED.has(n));
    fc.assert(
      // A `$` right before `${` would make the escape `$${`, so the text around does not end in `$`.
      fc.property(name, fc.string(), trickyString.filter((s) => !s.endsWith('$')), (n, text, around) => {
        const scope = { ...baseScope, variables: { [n]: text } };
        expect(renderTemplate(`\${${n}}`, scope)).toBe(text);
        expect(renderTemplate(`${around}\${${n}}${around}`, scope)).toBe(`${around}${text}${around}`);
        // the substituted text is never rendered again
        expect(renderTemplate({ x: [`\${${n}}`] }, scope)).toStrictEqual({ x: [text] });
      }),
      RUNS,
    );
  });

  it('any string renders to a value or fails with a TemplateError — nothing else escapes', () => {
    const source = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom('$', '{', '}', '|', ':', '[', ']', '.', "'", '"', '\\', ' ', 'A', 'steps', 'job_id', 'date', '0', '-') }),
    );
    fc.assert(
      fc.property(source, (s) => {
        try {
          const out = renderTemplate(s, baseScope);
          if (!hasTemplate(s)) expect(out).toBe(s);
        } catch (err) {
          expect(err).toBeInstanceOf(TemplateError);
        }
      }),
      RUNS,
    );
  });

  it("date:'yyyy-MM-dd HH:mm:ss.SSS' in UTC matches toISOString, and '-Nd' moves N calendar days", () => {
    const instant = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) });
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 4000 }), (ms, days) => {
        const scope = { ...baseScope, execution_date: ms };
        const iso = new Date(ms).toISOString();
        expect(renderTemplate("{{ execution_date | date:'yyyy-MM-dd HH:mm:ss.SSS' }}", scope)).toBe(
          `${iso.slice(0, 10)} ${iso.slice(11, 23)}`,
        );
        const back = new Date(ms - days * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
        expect(renderTemplate(`{{ execution_date | date:'yyyyMMdd':'-${days}d' }}`, scope)).toBe(back);
      }),
      RUNS,
    );
  });
});
