import fc from 'fast-check';
import { describe, it } from 'vitest';
import { scanPlaceholders } from './sql-placeholders.js';

describe('scanPlaceholders properties', () => {
  it('a correctly quoted literal never yields a placeholder, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const pg = `SELECT '${s.replace(/'/g, "''")}' FROM t`;
        const my = `SELECT '${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}' FROM t`;
        const ora = `SELECT '${s.replace(/'/g, "''")}' FROM t`;
        return scanPlaceholders(pg, 'postgresql').length === 0 && scanPlaceholders(my, 'mysql').length === 0 && scanPlaceholders(ora, 'oracle').length === 0;
      }),
    );
  });

  it('the number of $n / ? markers placed outside literals is what is found', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 8 }), (lits) => {
        const pg = lits.map((l, i) => `'${l.replace(/'/g, "''")}' = $${i + 1}`).join(' AND ');
        const my = lits.map((l) => `'${l.replace(/\\/g, '\\\\').replace(/'/g, "''")}' = ?`).join(' AND ');
        return scanPlaceholders(pg, 'postgresql').length === lits.length && scanPlaceholders(my, 'mysql').length === lits.length;
      }),
    );
  });
});
