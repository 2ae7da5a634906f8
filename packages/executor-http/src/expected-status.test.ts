import { describe, expect, it } from 'vitest';
import { expectedStatusSchema, isExpectedStatus } from './expected-status.js';

describe('isExpectedStatus', () => {
  it('defaults to any 2xx', () => {
    expect(isExpectedStatus(200)).toBe(true);
    expect(isExpectedStatus(204)).toBe(true);
    expect(isExpectedStatus(299)).toBe(true);
    expect(isExpectedStatus(199)).toBe(false);
    expect(isExpectedStatus(301)).toBe(false);
    expect(isExpectedStatus(404)).toBe(false);
  });

  it('matches exact codes, classes, ranges and lists', () => {
    expect(isExpectedStatus(201, 201)).toBe(true);
    expect(isExpectedStatus(200, 201)).toBe(false);
    expect(isExpectedStatus(404, '4xx')).toBe(true);
    expect(isExpectedStatus(404, '4XX')).toBe(true);
    expect(isExpectedStatus(500, '4xx')).toBe(false);
    expect(isExpectedStatus(204, '200-204')).toBe(true);
    expect(isExpectedStatus(205, '200-204')).toBe(false);
    expect(isExpectedStatus(404, [200, '3xx', 404])).toBe(true);
    expect(isExpectedStatus(302, [200, '3xx', 404])).toBe(true);
    expect(isExpectedStatus(500, [200, '3xx', 404])).toBe(false);
    expect(isExpectedStatus(404, '404')).toBe(true);
  });

  it('rejects malformed rules in the schema', () => {
    for (const bad of ['2x', '6xx', 'abc', '300-200', 99, 600, [], '200-']) {
      expect(expectedStatusSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    for (const good of [200, '2xx', '200-299', [200, 404], ' 3xx ']) {
      expect(expectedStatusSchema.safeParse(good).success, JSON.stringify(good)).toBe(true);
    }
  });
});
