import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { ViewContext } from './context.js';

/** The sign-in form (only when the host configures `auth`). */
export function loginBody(v: ViewContext, o: { error: string | null; next: string; username: string }): SafeHtml {
  return html`<section class="card login">
<h1>${v.t('login.title')}</h1>
${o.error ? html`<div class="flash flash-error" role="alert">${o.error}</div>` : ''}
<form method="post" action="${v.url('/login')}">
<input type="hidden" name="_csrf" value="${v.csrfToken}">
<input type="hidden" name="next" value="${o.next}">
<label>${v.t('login.username')}<input name="username" autocomplete="username" required value="${o.username}"></label>
<label>${v.t('login.password')}<input name="password" type="password" autocomplete="current-password" required></label>
<button class="btn btn-primary" type="submit">${v.t('login.submit')}</button>
</form>
</section>`;
}

/** The first-login password change: current, new, repeat (shown when sign-in says it must change). */
export function passwordChangeBody(v: ViewContext, o: { error: string | null; next: string; username: string }): SafeHtml {
  return html`<section class="card login">
<h1>${v.t('password.title')}</h1>
<p>${v.t('password.intro', { name: o.username })}</p>
${o.error ? html`<div class="flash flash-error" role="alert">${o.error}</div>` : ''}
<form method="post" action="${v.url('/login/password')}" data-testid="password-change">
<input type="hidden" name="_csrf" value="${v.csrfToken}">
<input type="hidden" name="next" value="${o.next}">
<input type="hidden" name="username" value="${o.username}" autocomplete="username">
<label>${v.t('password.current')}<input name="current_password" type="password" autocomplete="current-password" required></label>
<label>${v.t('password.new')}<input name="new_password" type="password" autocomplete="new-password" minlength="12" required></label>
<label>${v.t('password.repeat')}<input name="repeat_password" type="password" autocomplete="new-password" minlength="12" required></label>
<button class="btn btn-primary" type="submit">${v.t('password.submit')}</button>
</form>
</section>`;
}

/** An error page body. */
export function errorBody(v: ViewContext, message: string): SafeHtml {
  return html`<section class="card"><h1>${v.t('error.title')}</h1><p role="alert">${message}</p><p><a href="${v.url('/')}">${v.t('error.back')}</a></p></section>`;
}
