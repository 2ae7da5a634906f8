/**
 * Compiles a file-name wildcard (`*.csv`, `SAO_KE_*.xlsx`, `report-??.txt`, `[!.]*`) into a
 * RegExp matched against a whole base name. `*` matches any run of characters and `?` exactly one,
 * neither ever matching `/`; `[abc]`, `[a-z]` and `[!abc]` are character classes. Every other
 * character is literal. Matching is case-sensitive, as file names are on SFTP servers.
 *
 * Not picomatch (tried, 4.0.7): it gives `\`, `{…}`, `(…)` and `!` meanings of their own (escape,
 * regex quantifier or brace, group, negation) even with `nobrace`/`noextglob`, and reads `[!0-9]`
 * as a class containing `!`, so job files whose names hold those characters would change meaning;
 * wrapping it to escape them all would be a second hand-written glob. The property tests hold this
 * one to "a pattern without wildcards matches exactly itself".
 */
export function compileWildcard(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      // Only `-` keeps its range meaning inside a class; everything else is literal.
      const escaped = body.replace(/[\\\]^[]/g, '\\$&');
      out += negate ? `[^/${escaped}]` : `[${escaped}]`;
      i = end;
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`, 'u');
}

/** True when `name` (a base name) matches `pattern`; a missing pattern matches everything. */
export function makeNameFilter(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  const re = compileWildcard(pattern);
  return (name) => re.test(name);
}
