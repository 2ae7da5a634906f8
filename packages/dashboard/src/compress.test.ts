import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { negotiateCoding } from './compress.js';

describe('negotiateCoding', () => {
  it('prefers brotli, falls back to gzip, honours q=0 and *', () => {
    expect(negotiateCoding('gzip, deflate, br, zstd')).toBe('br');
    expect(negotiateCoding('gzip')).toBe('gzip');
    expect(negotiateCoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(negotiateCoding('br;q=0, gzip;q=0')).toBeNull();
    expect(negotiateCoding('identity')).toBeNull();
    expect(negotiateCoding('*')).toBe('br');
    expect(negotiateCoding('*, br;q=0')).toBe('gzip');
    expect(negotiateCoding(undefined)).toBeNull();
    expect(negotiateCoding('')).toBeNull();
  });
});

/** WCAG 2.1 contrast ratio of two `#rrggbb` colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string): number => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('stylesheet contrast (WCAG AA, 4.5:1 for text)', () => {
  it('muted text is readable on the page, card and pill backgrounds', () => {
    const css = readFileSync(new URL('../assets/dashboard.css', import.meta.url), 'utf8');
    const colour = (name: string): string => {
      const hex = new RegExp(`--${name}: #([0-9a-f]{6}|[0-9a-f]{3})\\b`, 'i').exec(css)![1]!;
      return `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
    };
    for (const bg of ['bg', 'card', 'idle-bg']) expect(contrast(colour('muted'), colour(bg))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(colour('idle'), colour('idle-bg'))).toBeGreaterThanOrEqual(4.5);
  });
});
