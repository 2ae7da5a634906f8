import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '@vecron/sdk';
import { assertParametersFit, expectedParameterCount, scanPlaceholders } from './sql-placeholders.js';

const texts = (sql: string, d: 'postgresql' | 'mysql' | 'oracle') => scanPlaceholders(sql, d).map((p) => p.text);

describe('scanPlaceholders', () => {
  it('finds PostgreSQL $n outside literals, identifiers, comments and dollar quotes', () => {
    const sql = `SELECT $1, '$2', "col$3", a$4, E'it\\'s $5', $$ $6 $$, $tag$ $7 $tag$ -- $8
      /* $9 /* nested $10 */ still $11 */ FROM t WHERE x = $12::int AND j ? 'k'`;
    expect(texts(sql, 'postgresql')).toEqual(['$1', '$12']);
    expect(expectedParameterCount(sql, 'postgresql')).toBe(12);
  });

  it('finds MySQL ? outside strings (with backslash escapes), backticks and # / -- comments', () => {
    const sql = "SELECT ?, '?', 'it\\'s ?', \"?\", `?` # ?\n, ? -- ?\n /* ? */ FROM t WHERE a = ?";
    expect(texts(sql, 'mysql')).toEqual(['?', '?', '?']);
  });

  it("finds Oracle :n and :name, not := or q'[…]' literals", () => {
    const sql = "BEGIN x := :1; y := q'[ :2 ]'; proc(:name, ':3', :1); END;";
    expect(texts(sql, 'oracle')).toEqual([':1', ':name', ':1']);
    // PL/SQL binds each distinct name once; SQL counts every occurrence.
    expect(expectedParameterCount(sql, 'oracle')).toBe(2);
    expect(expectedParameterCount('SELECT * FROM t WHERE a = :1 OR b = :1', 'oracle')).toBe(2);
    expect(texts("SELECT TO_CHAR(d, 'HH24:MI:SS') FROM t WHERE id = :id", 'oracle')).toEqual([':id']);
  });

  it('refuses a parameter count that does not fit, naming the dialect style', () => {
    expect(() => assertParametersFit('SELECT ?', [1, 2], 'mysql', 'query')).toThrow(NonRetryableError);
    expect(() => assertParametersFit('SELECT ?', [1, 2], 'mysql', 'query')).toThrow(/MySQL\/MariaDB placeholders are \?/);
    expect(() => assertParametersFit('SELECT ? AS a', ['x'], 'postgresql', 'query')).toThrow(/\$1, \$2/);
    expect(() => assertParametersFit('SELECT $2', [1, 2], 'postgresql', 'query')).not.toThrow();
  });
});
