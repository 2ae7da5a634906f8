import { describe, expect, it } from 'vitest';
import { procedureCallText } from './procedure-call.js';
import { dbStepConfigSchema } from './step-config.js';

describe('procedureCallText', () => {
  it('builds the call text per dialect with one placeholder per parameter', () => {
    expect(procedureCallText('postgresql', 'billing.close_day', 2)).toBe('CALL billing.close_day($1, $2)');
    expect(procedureCallText('mysql', 'close_day', 3)).toBe('CALL close_day(?, ?, ?)');
    expect(procedureCallText('oracle', 'pkg_billing.close_day', 2)).toBe('BEGIN pkg_billing.close_day(:1, :2); END;');
    expect(procedureCallText('oracle', 'refresh', 0)).toBe('BEGIN refresh(); END;');
  });

  it.each(['x; DROP TABLE t', 'a b', '"quoted"', "x'--", 'a.b.c.d', '1abc', 'x()', ''])('refuses %j as a procedure name', (name) => {
    expect(() => procedureCallText('postgresql', name, 0)).toThrow(/not a plain identifier/);
    const parsed = dbStepConfigSchema.safeParse({ database_type: 'postgresql', connection_string: 'postgres://x', query_type: 'stored_procedure', procedure_name: name });
    expect(parsed.success).toBe(false);
  });
});
