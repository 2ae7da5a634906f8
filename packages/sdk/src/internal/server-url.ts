/**
 * A server address as error messages and logs show it: the URL without its password
 * (`postgres://app:***@db:5432/core`), so an error can name the server a process failed to reach
 * without leaking a credential. Lists (`nats://a:4222,nats://b:4222`) are handled item by item.
 */
export function describeServer(address: string | readonly string[]): string {
  const list = typeof address === 'string' ? address.split(',') : address;
  return list.map((one) => redact(one.trim())).join(',');
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    // Not a URL (e.g. `127.0.0.1:4222`): drop anything that looks like userinfo.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
  }
}
