import { parse, serialize } from 'cookie';

/** RFC 6265 allows a cookie value wrapped in double quotes; the quotes are not part of the value. */
function decodeValue(raw: string): string {
  const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Parses a `Cookie` header into name → value (first occurrence wins; a malformed pair is skipped, never thrown on). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const [name, value] of Object.entries(parse(header, { decode: decodeValue }))) {
    if (name && value !== undefined) out[name] = value;
  }
  return out;
}

/** Options of {@link serializeCookie}. */
export interface CookieOptions {
  /** @default '/' */
  path?: string;
  /** Seconds; 0 deletes the cookie. Omitted: a session cookie. */
  maxAge?: number;
  /** @default true */
  httpOnly?: boolean;
  /** @default 'Strict' */
  sameSite?: 'Strict' | 'Lax';
  /** @default false */
  secure?: boolean;
}

/** A `Set-Cookie` value (the value URI-encoded). */
export function serializeCookie(name: string, value: string, o: CookieOptions = {}): string {
  return serialize(name, value, {
    path: o.path ?? '/',
    sameSite: o.sameSite === 'Lax' ? 'lax' : 'strict',
    httpOnly: o.httpOnly ?? true,
    secure: o.secure ?? false,
    ...(o.maxAge === undefined ? {} : { maxAge: Math.max(0, Math.floor(o.maxAge)) }),
  });
}
