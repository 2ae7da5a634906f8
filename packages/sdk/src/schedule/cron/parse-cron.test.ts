import { describe, expect, it } from 'vitest';
import { ScheduleError } from '../../errors/errors.js';
import { parseCron } from './parse-cron.js';

function errorOf(expression: string, dialect?: 'quartz' | 'spring' | 'unix' | 'auto'): ScheduleError {
  try {
    parseCron(expression, dialect ? { dialect } : {});
  } catch (e) {
    if (e instanceof ScheduleError) return e;
    throw e;
  }
  throw new Error(`'${expression}' was accepted`);
}

describe('parseCron dialects', () => {
  it('auto: 5 fields are Unix, 6 and 7 are Quartz', () => {
    expect(parseCron('*/5 * * * *').dialect).toBe('unix');
    expect(parseCron('0 */5 * * * ?').dialect).toBe('quartz');
    expect(parseCron('0 */5 * * * ? 2030').dialect).toBe('quartz');
  });

  it('rejects the wrong field count for the chosen dialect', () => {
    expect(errorOf('* * * *').message).toMatch(/expected 6 or 7 fields .* or 5 fields .* got 4/);
    expect(errorOf('* * * * *', 'quartz').message).toMatch(/expected 6 or 7 fields/);
    expect(errorOf('0 * * * * ?', 'unix').message).toMatch(/expected 5 fields/);
    expect(errorOf('0 15 10 * * ? 2005 *').message).toMatch(/got 8/);
  });

  it('trims blanks and tabs, is case-insensitive for names', () => {
    expect(parseCron(' 30 *   * * * ?\t').expression).toBe('30 *   * * * ?');
    expect(() => parseCron('0 0 12 ? jan,Feb mon-fri')).not.toThrow();
  });

  it('errors are ScheduleError with code SCHEDULE_INVALID', () => {
    const e = errorOf('* * * * Foo ?');
    expect(e.code).toBe('SCHEDULE_INVALID');
    expect(e.retryable).toBe(false);
    expect(e.details).toMatchObject({ expression: '* * * * Foo ?' });
  });
});

describe('parse errors name the field and the bad token', () => {
  it.each([
    ['* * * * Foo ?', "Invalid Month value: 'FOO'"],
    ['* * * * Jan-Foo ?', "Invalid Month value: 'FOO'"],
    ['0 0 12 ? * MOX', "Invalid Day-of-Week value: 'MOX'"],
    ['Ralf 30 * * * ?', "Invalid Seconds value: 'RALF'"],
    ['0 60 * * * ?', "Invalid Minutes value: '60' (must be between 0 and 59)"],
    ['0 0 24 * * ?', "Invalid Hours value: '24'"],
    ['0 0 0 32 * ?', "Invalid Day-of-Month value: '32'"],
    ['0 0 0 ? * 0', "Invalid Day-of-Week value: '0' (must be between 1 and 7)"],
    ['0 0 0 1 * ? 1969', "Invalid Year value: '1969'"],
    ['0 0 0 1 * ? 2030-2020', "Invalid Year range: '2030-2020'"],
    ['0/120 * * * * ?', "Invalid Seconds increment in '0/120': must be between 1 and 59"],
    ['0 0 0/24 * * ?', 'Invalid Hours increment'],
    ['*/ * * * * ?', "'/' must be followed by a positive integer"],
    ['0 0 */0 * * ?', 'Invalid Hours increment'],
    ['L 30 * * * ?', "Invalid Seconds value: 'L'"],
    ['0 0 ? * * *', "'?' can only be specified for Day-of-Month or Day-of-Week (Hours: '?')"],
    ['0 0 * * * *', "exactly one of them must be '?'"],
    ['0 0 2 * * MON-FRI', "for every MON-FRI write '? * MON-FRI'"],
    ['0 0 2 15 * *', "for day 15 write '15 * ?'"],
    ['0 0 0 ? * ?', "exactly one of them must be '?'"],
    ['0 0 0 15,L-31 * ?', "Invalid Day-of-Month value: 'L-31' (offset from last day must be <= 30)"],
    ['0 0 0 32W * ?', "Invalid Day-of-Month value: '32W'"],
    ['0 0 0 3L * ?', "Invalid Day-of-Month value: '3L'"],
    ['0 0 0 ? * 6#6', "Invalid Day-of-Week value: '6#6' (a number between 1 and 5 must follow the '#' option)"],
    ['0 0 0 ? * SAT,SUN,L', "Support for specifying 'L' with other days of the week"],
    ['0 0 0 ? * 6#3,2', "Support for specifying '#' with other days of the week"],
    ['0 0 0 1,,2 * ?', "Invalid Day-of-Month value: '1,,2' (empty list item)"],
    ['0 0 x * * ?', "Invalid Hours value: 'X'"],
  ])('%s', (expression, expected) => {
    const message = errorOf(expression).message;
    expect(message).toContain(expected);
    expect(message).toContain(`in cron expression '${expression}'`);
  });

  it("Quartz vector qn-102 ('* * ? */5 *') is rejected when the dialect is quartz", () => {
    expect(errorOf('* * ? */5 *', 'quartz').message).toMatch(/expected 6 or 7 fields/);
  });

  it("the Quartz error for both day fields set names the spring dialect as the other way out", () => {
    const message = errorOf('0 0 2 * * MON-FRI').message;
    expect(message).toContain("for every MON-FRI write '? * MON-FRI'");
    expect(message).toContain('or set "dialect": "spring"');
    expect(errorOf('0 0 0 ? * ?').message).not.toContain('spring');
  });

  it('Unix day-of-week accepts 0–7 only and no bare L', () => {
    expect(errorOf('0 0 * * 8').message).toContain("Invalid Day-of-Week value: '8' (must be between 0 and 7)");
    expect(errorOf('0 0 * * L').message).toContain("Invalid Day-of-Week value: 'L'");
    expect(errorOf('0 0 ? * 1', 'quartz').message).toMatch(/expected 6 or 7 fields/);
  });
});

describe('accepted Quartz forms', () => {
  it.each([
    '0 15 10 L-1W,L-1 * ? 2010', '0 0 1 ? 1/1 MONL *', '0 0 0 1 * ? 2017-2047/2', '58-4 5 21 ? * MON-FRI',
    '0 0/5 21-3 ? * MON-FRI', '58 5 21 28-5 1 ?', '/5 * * * * ?', '0 0 12 ? * SUN-SAT', '0 0 0 ? * 5-1',
  ])('%s', (expression) => {
    expect(() => parseCron(expression)).not.toThrow();
  });
});
