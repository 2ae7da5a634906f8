import { describe, expect, it } from 'vitest';
import { NonRetryableError, TransientError } from '@vecron/sdk';
import { classifyDbError } from './classify-error.js';

const pg = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
const my = (errno: number, sqlState = 'HY000') => Object.assign(new Error(`mysql ${errno}`), { errno, sqlState, code: 'ER_X' });
const ora = (errorNum: number) => Object.assign(new Error(`ORA-${String(errorNum).padStart(5, '0')}: x`), { errorNum });

describe('classifyDbError', () => {
  it.each([
    ['42601', 'DB_SYNTAX_ERROR', false], ['42P01', 'DB_UNDEFINED_OBJECT', false], ['42703', 'DB_UNDEFINED_OBJECT', false],
    ['42501', 'DB_PERMISSION_DENIED', false], ['28P01', 'DB_AUTH_FAILED', false], ['23505', 'DB_CONSTRAINT_VIOLATION', false],
    ['22012', 'DB_QUERY_FAILED', false], ['40P01', 'DB_DEADLOCK', true], ['40001', 'DB_SERIALIZATION_FAILURE', true],
    ['55P03', 'DB_LOCK_TIMEOUT', true], ['57014', 'DB_STATEMENT_TIMEOUT', true], ['08006', 'DB_CONNECTION_FAILED', true], ['57P01', 'DB_CONNECTION_FAILED', true],
  ] as const)('postgresql %s → %s (retryable %s)', (code, vcode, retryable) => {
    const e = classifyDbError('postgresql', pg(code), 'q');
    expect(e).toMatchObject({ code: vcode, retryable, details: { sqlstate: code } });
    expect(e).toBeInstanceOf(retryable ? TransientError : NonRetryableError);
  });

  it.each([
    [1064, 'DB_SYNTAX_ERROR', false], [1146, 'DB_UNDEFINED_OBJECT', false], [1054, 'DB_UNDEFINED_OBJECT', false], [1142, 'DB_PERMISSION_DENIED', false],
    [1045, 'DB_AUTH_FAILED', false], [1062, 'DB_CONSTRAINT_VIOLATION', false], [1213, 'DB_DEADLOCK', true], [1205, 'DB_LOCK_TIMEOUT', true],
    [3024, 'DB_STATEMENT_TIMEOUT', true], [1969, 'DB_STATEMENT_TIMEOUT', true], [2013, 'DB_CONNECTION_FAILED', true], [1366, 'DB_QUERY_FAILED', false],
  ] as const)('mysql errno %s → %s', (errno, vcode, retryable) => {
    expect(classifyDbError('mysql', my(errno), 'q')).toMatchObject({ code: vcode, retryable, details: { errno } });
  });

  it.each([
    [942, 'DB_UNDEFINED_OBJECT', false], [900, 'DB_SYNTAX_ERROR', false], [1017, 'DB_AUTH_FAILED', false], [1031, 'DB_PERMISSION_DENIED', false],
    [1, 'DB_CONSTRAINT_VIOLATION', false], [60, 'DB_DEADLOCK', true], [8177, 'DB_SERIALIZATION_FAILURE', true], [1013, 'DB_STATEMENT_TIMEOUT', true],
    [3113, 'DB_CONNECTION_FAILED', true], [1722, 'DB_QUERY_FAILED', false],
  ] as const)('oracle ORA-%s → %s', (num, vcode, retryable) => {
    expect(classifyDbError('oracle', ora(num), 'q')).toMatchObject({ code: vcode, retryable, details: { ora: `ORA-${String(num).padStart(5, '0')}` } });
  });

  it('treats socket errors and unknown failures as retryable, and keeps vecron errors as they are', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyDbError('mysql', refused, 'q')).toMatchObject({ code: 'DB_CONNECTION_FAILED', retryable: true });
    expect(classifyDbError('oracle', new Error('NJS-503: connection to host could not be established'), 'q')).toMatchObject({ code: 'DB_CONNECTION_FAILED', retryable: true });
    expect(classifyDbError('postgresql', new Error('Connection terminated unexpectedly'), 'q')).toMatchObject({ code: 'DB_ERROR', retryable: true });
    const own = new NonRetryableError('x', { code: 'DB_ROW_LIMIT_EXCEEDED' });
    expect(classifyDbError('postgresql', own, 'q')).toBe(own);
  });
});
