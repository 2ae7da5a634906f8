/** A piece of markup that is already safe to send: produced by {@link html} or {@link raw}. */
export class SafeHtml {
  /** @param value the markup, trusted as is */
  constructor(readonly value: string) {}
  /** The markup. */
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

/** A value `html` can interpolate: text (escaped), numbers, safe markup, lists of those; nullish and false render nothing. */
export type HtmlValue = string | number | bigint | boolean | null | undefined | SafeHtml | readonly HtmlValue[];

const render = (v: HtmlValue): string => {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(v));
};

/**
 * Tagged template that escapes every interpolated value unless it is {@link SafeHtml}.
 *
 * @example
 * ```ts
 * html`<td>${job.name}</td>`; // a job named <script> renders as &lt;script&gt;
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Marks trusted markup as safe. Only for constants and markup built by {@link html}; never for input. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** JSON for a `<script type="application/json">` or an attribute: escaped so it cannot close the element. */
export function jsonAttr(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}
