import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, jsonAttr, raw } from './html.js';

describe('html tagged template', () => {
  it('escapes interpolated text, including hostile job names', () => {
    const name = '<script>alert("x")</script>';
    expect(html`<td>${name}</td>`.value).toBe('<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</td>');
    expect(html`<a title="${`" onmouseover="alert(1)`}">x</a>`.value).toBe('<a title="&quot; onmouseover=&quot;alert(1)">x</a>');
    expect(html`<b>${"it's `tick` & co"}</b>`.value).toBe('<b>it&#39;s &#96;tick&#96; &amp; co</b>');
  });

  it('keeps nested html and raw markup, renders lists, drops nullish and false', () => {
    const inner = html`<i>${'<b>'}</i>`;
    expect(html`<p>${inner}${raw('<br>')}${[1, 'a<', null, undefined, false]}</p>`.value).toBe('<p><i>&lt;b&gt;</i><br>1a&lt;</p>');
  });

  it('never lets a string produce a tag or break out of an attribute, and loses nothing', () => {
    const unescape = (x: string): string => x.replace(/&(lt|gt|quot|#39|#96|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`', amp: '&' })[e]!);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), (s) => {
        const out = html`${s}`.value;
        expect(out).not.toMatch(/[<>"'`]/);
        expect(unescape(out)).toBe(s);
      }),
    );
  });

  it('escapeHtml is the identity on text without special characters', () => {
    fc.assert(fc.property(fc.string().filter((s) => !/[&<>"'`]/.test(s)), (s) => {
      expect(escapeHtml(s)).toBe(s);
    }));
  });

  it('jsonAttr cannot close a script element', () => {
    expect(jsonAttr({ a: '</script><b>&' })).toBe('{"a":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026"}');
  });
});
