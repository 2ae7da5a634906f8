import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { inlineParams } from './inline-params.js';

describe('inlineParams', () => {
  it('writes each $n as a quoted literal: strings, numbers, booleans, NULL, arrays as pg writes them', () => {
    expect(inlineParams('SELECT $1::int, $2, $3, $4, $10', [5, "it's", true, null, 'x', 0, 0, 0, 0, 'ten'])).toBe(
      "SELECT '5'::int, 'it''s', 'true', NULL, 'ten'",
    );
    expect(inlineParams('SELECT $1::text[]', [['a', null, 'b"c', 'd\\e', 'f,g']])).toBe(String.raw`SELECT  E'{"a",NULL,"b\\"c","d\\\\e","f,g"}'::text[]`);
    expect(inlineParams('SELECT $1::int[]', [[[1, 2], [3, 4]]])).toBe(`SELECT '{{"1","2"},{"3","4"}}'::int[]`);
    expect(inlineParams('SELECT $1, $1', ['a'])).toBe("SELECT 'a', 'a'");
    expect(inlineParams('SELECT 1', [])).toBe('SELECT 1');
  });

  it('leaves $n within strings, quoted names and comments alone', () => {
    expect(inlineParams(`SELECT '$1', 'a''$1', E'\\'$1', "$1", $1 -- $1\n, /* $1 */ $2`, ['x', 'y'])).toBe(
      `SELECT '$1', 'a''$1', E'\\'$1', "$1", 'x' -- $1\n, /* $1 */ 'y'`,
    );
    expect(inlineParams(`SELECT '{"steps":{}}'::jsonb, $1`, ['x'])).toBe(`SELECT '{"steps":{}}'::jsonb, 'x'`);
  });

  it('gives up (null) on what it cannot write with certainty', () => {
    expect(inlineParams('SELECT $1', [new Date(0)])).toBeNull();
    expect(inlineParams('SELECT $1', [Buffer.from('x')])).toBeNull();
    expect(inlineParams('SELECT $1', [{ a: 1 }])).toBeNull();
    expect(inlineParams('SELECT $1', [[new Date(0)]])).toBeNull();
    expect(inlineParams('SELECT $1', [Number.NaN])).toBeNull();
    expect(inlineParams('SELECT $2', ['x'])).toBeNull();
    expect(inlineParams('SELECT $$ $1 $$, $1', ['x'])).toBeNull();
    expect(inlineParams('SELECT $tag$ $1 $tag$', ['x'])).toBeNull();
    expect(inlineParams('SELECT a$1 FROM t', ['x'])).toBeNull();
    expect(inlineParams("SELECT 'open", [])).toBeNull();
    expect(inlineParams('SELECT /* /* nested */ */ $1', ['x'])).toBeNull();
  });

  it("quotes a string as pg's escapeLiteral does", () => {
    const chars = ["'", '\\', '"', 'a', ' ', 'é', '$', '1', '\n'];
    let seed = 7;
    const next = (): number => (seed = (seed * 48271) % 2147483647);
    for (let k = 0; k < 500; k++) {
      const s = Array.from({ length: next() % 12 }, () => chars[next() % chars.length]).join('');
      expect(inlineParams('SELECT $1', [s])).toBe(`SELECT ${pg.escapeLiteral(s)}`);
    }
  });
});
