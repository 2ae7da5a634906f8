import { NonRetryableError } from '@vecron/sdk';
import type { Dispatcher } from 'undici';
import { HTTP_ERROR_CODES } from './classify.js';

function tooLarge(target: string, limit: number, seen: number | string): NonRetryableError {
  return new NonRetryableError(`response from ${target} exceeds maxResponseBytes (${limit} bytes; got ${seen})`, {
    code: HTTP_ERROR_CODES.tooLarge,
    details: { target, maxResponseBytes: limit },
  });
}

/** Closes the connection under `body`; the abort error that destroying emits is expected, not a failure. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * Reads a response body into memory, refusing (and closing the connection) as soon as it exceeds
 * `limit` bytes — up front from `Content-Length` when the server sends one.
 */
export async function readBounded(
  body: Dispatcher.ResponseData['body'],
  contentLength: string | string[] | undefined,
  limit: number,
  target: string,
): Promise<Buffer> {
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (Number.isFinite(declared) && declared > limit) {
    discard(body);
    throw tooLarge(target, limit, `Content-Length ${declared}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      discard(body);
      throw tooLarge(target, limit, `more than ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

/** True for `application/json`, `text/json` and structured-syntax `…+json` media types. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

/** Decodes bytes with the Content-Type's charset (UTF-8 when absent or unknown). */
export function decodeText(bytes: Buffer, contentType: string | undefined): string {
  const charset = /;\s*charset="?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];
  if (charset) {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // Unknown label: fall through to UTF-8.
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

/** The output `body`: parsed JSON for JSON media types (text when it does not parse), else text. */
export function decodeBody(bytes: Buffer, contentType: string | undefined): unknown {
  const text = decodeText(bytes, contentType);
  if (!isJsonContentType(contentType)) return text;
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
