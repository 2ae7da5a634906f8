/**
 * Checks a browser test makes on a dashboard page (this package's page walk and the server's):
 * axe-core's serious and critical findings, and English catalogue strings left on a Vietnamese page.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { en, vi } from '../src/index.js';
import type { MessageKey } from '../src/index.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical WCAG 2.1 A/AA and best-practice findings on the page, one line each. */
export async function axeFindings(page: Page, label: string): Promise<string[]> {
  await page.evaluate(axeSource);
  // Runs in the page (a string: the tests' TypeScript has no DOM types).
  const result = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) })))`)) as Array<{ id: string; impact: string | null; targets: string[] }>;
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${label}: ${v.id} (${v.impact}) ${v.targets.join(' ')}`);
}

/**
 * English catalogue strings a Vietnamese page must not show: every message whose Vietnamese
 * differs, cut at its parameters, keeping the literal pieces of 4+ characters with a letter.
 */
export function englishFragments(): Array<{ key: MessageKey; text: string }> {
  const out: Array<{ key: MessageKey; text: string }> = [];
  for (const key of Object.keys(en) as MessageKey[]) {
    if (en[key] === vi[key]) continue;
    for (const piece of en[key].split(/\{\w+\}/)) {
      const text = piece.trim().replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
      if (text.length >= 4 && /\p{L}/u.test(text) && !vi[key].includes(text)) out.push({ key, text });
    }
  }
  return out;
}

/** The English catalogue strings visible on the page (outside code and data blocks), one line each. */
export async function englishOnPage(page: Page, label: string, fragments = englishFragments()): Promise<string[]> {
  const text = (await page.evaluate(`(() => {
    const clone = document.body.cloneNode(true);
    for (const el of clone.querySelectorAll('pre, code, script, style, [hidden]')) el.remove();
    const attrs = [...document.querySelectorAll('[title], [placeholder], [aria-label]')].flatMap((el) =>
      ['title', 'placeholder', 'aria-label'].map((a) => el.getAttribute(a) ?? ''));
    return clone.innerText + '\\n' + attrs.join('\\n') + '\\n' + document.title;
  })()`)) as string;
  const found: string[] = [];
  for (const f of fragments) if (new RegExp(`(^|[^\\p{L}])${f.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}])`, 'u').test(text)) found.push(`${label}: "${f.text}" (${f.key})`);
  return found;
}
