import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { ViewContext } from './context.js';

/**
 * A POST form of the administration pages: a real form (without JavaScript the server answers
 * with a redirect back, or a page) that htmx submits in place, its answer shown in the flash area.
 */
export function postForm(v: ViewContext, o: { path: string; body: SafeHtml; submit: string; testId?: string; className?: string; confirm?: string }): SafeHtml {
  const action = v.url(o.path);
  return html`<form class="${o.className ?? 'admin-form'}" method="post" action="${action}" hx-post="${action}" hx-target="#flash" hx-swap="innerHTML" hx-disabled-elt="find button"${o.confirm ? html` hx-confirm="${o.confirm}"` : ''}${o.testId ? html` data-testid="${o.testId}"` : ''}>
<input type="hidden" name="_csrf" value="${v.csrfToken}">
${o.body}
<button class="btn btn-primary" type="submit">${o.submit}</button>
</form>`;
}

/**
 * A region that reloads itself (from `url`) after every action on the page: the dashboard's
 * script refreshes `[data-live]` regions when an action answers `HX-Trigger: vecron-refresh`.
 */
export function liveRegion(id: string, url: string, content: SafeHtml): SafeHtml {
  return html`<div id="${id}" data-live="${url}" data-live-on="admin">${content}</div>`;
}

/** A labelled text input. */
export function textField(label: string, o: { name: string; value?: string; required?: boolean; type?: string; autocomplete?: string; placeholder?: string; maxLength?: number; pattern?: string }): SafeHtml {
  return html`<label>${label}<input name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${o.required ? html` required` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.placeholder ? html` placeholder="${o.placeholder}"` : ''}${o.maxLength ? html` maxlength="${o.maxLength}"` : ''}${o.pattern ? html` pattern="${o.pattern}"` : ''}></label>`;
}

/** A labelled checkbox (value `1`). */
export function checkField(label: string | SafeHtml, o: { name: string; checked?: boolean; value?: string }): SafeHtml {
  return html`<label class="check"><input type="checkbox" name="${o.name}" value="${o.value ?? '1'}"${o.checked ? html` checked` : ''}> ${label}</label>`;
}
