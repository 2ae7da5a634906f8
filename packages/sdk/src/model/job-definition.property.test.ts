import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/errors.js';
import { parseJobDefinition } from './job-definition.js';

const base = {
  name: 'job',
  schedule: { type: 'fixed_rate', interval_seconds: 60 },
  steps: [{ id: 'a', type: 'http', config: { url: 'https://x' } }],
};

/** Replaces the value at a random path of `base` with random JSON (or deletes it). */
const mutated = fc
  .tuple(
    fc.constantFrom<Array<string | number>>(['name'], ['schedule'], ['schedule', 'type'], ['schedule', 'interval_seconds'], ['steps'], ['steps', 0], ['steps', 0, 'id'], ['steps', 0, 'type'], ['steps', 0, 'config'], ['max_retries'], ['misfire_policy'], ['triggers'], ['variables'], ['enabled'], ['timeout_seconds']),
    fc.option(fc.jsonValue(), { nil: undefined }),
  )
  .map(([path, value]) => {
    const d = structuredClone(base) as Record<string, unknown>;
    let cur: Record<string | number, unknown> = d;
    for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (value === undefined) delete cur[last];
    else cur[last] = value;
    return d;
  });

describe('job definition validation (generated input)', () => {
  it('any JSON value either parses or throws a ValidationError whose issues all carry JSON paths — never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, fc.jsonValue()), (input) => {
        try {
          parseJobDefinition(input);
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
          const issues = (err as ValidationError).issues;
          expect(issues.length).toBeGreaterThan(0);
          for (const i of issues) expect(i.path.startsWith('$')).toBe(true);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
