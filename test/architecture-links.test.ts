/**
 * Issue 14: the repository explains itself. Code comments and docs point into
 * docs/architecture.md (never to the design blueprint the project started from, which is not in
 * the repository), and every such pointer lands on a heading that exists, so renaming a section
 * without its pointers fails here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Tracked text files of the project (sources, docs, configs), without generated API docs. */
const files = execFileSync('git', ['ls-files', '-z', '--', 'packages', 'bench', 'examples', 'deploy', 'docs', 'test', 'README.md', 'README.vi.md'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((f) => /\.(ts|tsx|js|mjs|md|json|sql|yaml|yml|toml)$/.test(f) && !f.startsWith('docs/api/') && f !== 'test/architecture-links.test.ts');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(markdownFile: string): Set<string> {
  const text = readFileSync(path.join(root, markdownFile), 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

describe('docs/architecture.md', () => {
  it('computes GitHub anchors', () => {
    expect(anchorOf('4. No execution is lost')).toBe('4-no-execution-is-lost');
    expect(anchorOf('One execution, end to end')).toBe('one-execution-end-to-end');
    expect(anchorOf('`${NAME}`: variables')).toBe('name-variables');
  });

  it('no file cites the design blueprint, which is not in the repository', () => {
    const citing = files.filter((f) => /\bDESIGN(\.md|\s*§)/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(citing).toEqual([]);
  });

  it('every pointer to docs/architecture.md#… names a heading that exists', () => {
    const anchors = anchorsOf('docs/architecture.md');
    const broken: string[] = [];
    let pointers = 0;
    for (const f of files) {
      for (const m of readFileSync(path.join(root, f), 'utf8').matchAll(/architecture\.md#([\w-]+)/g)) {
        pointers += 1;
        if (!anchors.has(m[1]!)) broken.push(`${f}: #${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
    expect(pointers).toBeGreaterThanOrEqual(20);
  });

  it('its own links to other docs land on headings that exist', () => {
    const text = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([\w.-]+\.md)(?:#([\w-]+))?\)/g)) {
      const target = `docs/${m[1]}`;
      let anchors: Set<string>;
      try {
        anchors = anchorsOf(target);
      } catch {
        broken.push(`${m[1]} (no such file)`);
        continue;
      }
      if (m[2] && !anchors.has(m[2])) broken.push(`${m[1]}#${m[2]}`);
    }
    expect(broken).toEqual([]);
  });
});
