import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holdsEveryPermission, permissionsBeyond, permissionsOfRoles } from './grants.js';
import { PERMISSIONS } from './permissions.js';
import type { Permission } from './permissions.js';

const permSet = fc.subarray([...PERMISSIONS]).map((a) => new Set<Permission>(a));
const roles = fc.array(fc.record({ permissions: fc.subarray([...PERMISSIONS]) }), { maxLength: 6 });

describe('grants never exceed the granter', () => {
  it('a grant is allowed exactly when every permission it gives is held by the caller', () => {
    fc.assert(
      fc.property(permSet, roles, (caller, target) => {
        const wanted = permissionsOfRoles(target);
        const beyond = permissionsBeyond(caller, wanted);
        const subset = [...wanted].every((p) => caller.has(p));
        expect(beyond.length === 0).toBe(subset);
        for (const p of beyond) expect(caller.has(p)).toBe(false);
        for (const p of beyond) expect(wanted.has(p)).toBe(true);
      }),
    );
  });

  it('only a holder of every permission may act on a holder of every permission', () => {
    fc.assert(
      fc.property(permSet, (caller) => {
        const admin = new Set<Permission>(PERMISSIONS);
        expect(permissionsBeyond(caller, admin).length === 0).toBe(holdsEveryPermission(caller));
      }),
    );
  });

  it('a chain of grants never ends with more than the first granter held', () => {
    fc.assert(
      fc.property(permSet, fc.array(permSet, { minLength: 1, maxLength: 5 }), (root, attempts) => {
        let holder = root;
        for (const want of attempts) if (permissionsBeyond(holder, want).length === 0) holder = want;
        expect(permissionsBeyond(root, holder)).toEqual([]);
      }),
    );
  });
});
