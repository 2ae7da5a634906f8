import iconv from 'iconv-lite';
import type { Encoding } from '../options.js';

const TONE_MARKS = new Set(['\u0300', '\u0301', '\u0303', '\u0309', '\u0323']);
const charsets = new Map<Encoding, Set<string>>();

/** The characters a single-byte encoding can hold. */
function charset(enc: Encoding): Set<string> {
  let set = charsets.get(enc);
  if (!set) {
    const bytes = Buffer.alloc(256);
    for (let b = 0; b < 256; b++) bytes[b] = b;
    set = new Set(Array.from(iconv.decode(bytes, enc)));
    set.delete('\ufffd');
    charsets.set(enc, set);
  }
  return set;
}

/**
 * Prepares text for a single-byte encoding. For windows-1258 it splits Vietnamese letters that
 * the code page has no precomposed form for ("ễ") into base letter + combining tone mark
 * ("ê" + U+0303), which is how Windows itself writes Vietnamese in 1258.
 *
 * @returns the text to encode, or `{ bad }` with the first character the encoding cannot hold.
 */
export function prepareForEncoding(text: string, enc: Encoding): string | { bad: string } {
  if (enc === 'utf8' || enc === 'utf16le') return text;
  const set = charset(enc);
  let out = '';
  for (const ch of text.normalize('NFC')) {
    if (set.has(ch)) {
      out += ch;
      continue;
    }
    if (enc === 'windows-1258') {
      const parts = Array.from(ch.normalize('NFD'));
      const tones = parts.filter((c) => TONE_MARKS.has(c));
      const base = parts.filter((c) => !TONE_MARKS.has(c)).join('').normalize('NFC');
      if (tones.length === 1 && set.has(base) && set.has(tones[0]!)) {
        out += base + tones[0]!;
        continue;
      }
    }
    return { bad: ch };
  }
  return out;
}

/** Decoded 1258 text carries combining tone marks; NFC gives the precomposed letters other sources use. */
export function needsNfc(enc: Encoding): boolean {
  return enc === 'windows-1258';
}
