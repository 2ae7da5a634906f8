import fc from 'fast-check';
import { describe, it } from 'vitest';
import { compileWildcard } from './glob.js';

const nameChar = fc.constantFrom(...'abcXYZ019._-+()$^{}|\\ '.split(''));
const name = fc.string({ unit: nameChar, minLength: 1, maxLength: 20 });

describe('compileWildcard properties', () => {
  it('a pattern without wildcard characters matches exactly itself', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        const re = compileWildcard(a);
        return re.test(a) && re.test(b) === (a === b);
      }),
    );
  });

  it('"*" + suffix matches every name that ends with the suffix', () => {
    fc.assert(fc.property(name, name, (prefix, suffix) => compileWildcard(`*${suffix}`).test(prefix + suffix)));
  });

  it('"?" matches exactly one character', () => {
    fc.assert(
      fc.property(name, (n) => compileWildcard('?'.repeat([...n].length)).test(n) && !compileWildcard('?'.repeat([...n].length + 1)).test(n)),
    );
  });
});
