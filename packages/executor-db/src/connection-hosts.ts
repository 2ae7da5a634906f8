/**
 * The hosts a connection string points at, for the outbound policy. URL forms
 * (`postgres://u:p@host:5432/db`, `mysql://…`, several `host1,host2`), libpq key/value
 * (`host=db port=5432`), Oracle easy connect (`host:1521/service`, `//host/service`) and
 * descriptors (`(HOST=db)`). A URL without a host (`postgres:///db`) means the local socket: ''.
 */
export function connectionHosts(connectionString: string): string[] {
  const cs = connectionString.trim();
  const descriptor = [...cs.matchAll(/\(\s*HOST\s*=\s*([^)\s]+)\s*\)/gi)].map((m) => m[1]!);
  if (descriptor.length) return descriptor;
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/?#]*)/i.exec(cs);
  if (url) return url[1]!.split(',').map(stripPort);
  const kv = [...cs.matchAll(/(?:^|[\s;])(?:host|server|data source|hostaddr)\s*=\s*'?([^\s;']+)/gi)].map((m) => m[1]!);
  if (kv.length) return kv.flatMap((h) => h.split(',')).map(stripPort);
  const easy = /^(?:\/\/)?(\[[^\]]+\]|[^:/\s]+)/.exec(cs);
  return [easy ? stripPort(easy[1]!) : ''];
}

function stripPort(hostPort: string): string {
  const h = hostPort.trim();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  return decodeURIComponent(h.split(':')[0]!);
}
