import { en } from './en.js';
import type { Dictionary, MessageKey } from './en.js';
import { vi } from './vi.js';

/** Languages of the dashboard UI. */
export const LANGUAGES = ['en', 'vi'] as const;
/** One UI language. */
export type Lang = (typeof LANGUAGES)[number];

const DICTIONARIES: Record<Lang, Dictionary> = { en, vi };

/** Translates a key, filling `{name}` parameters. */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** A translator for a language. */
export function translator(lang: Lang): Translate {
  const dict = DICTIONARIES[lang];
  return (key, params) => {
    const text = dict[key];
    return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
  };
}

/** True for a supported language code. */
export const isLang = (v: unknown): v is Lang => typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);

/** The BCP 47 locale used to format dates and numbers in a language. */
export const LOCALES: Record<Lang, string> = { en: 'en-GB', vi: 'vi-VN' };

export type { MessageKey, Dictionary };
export { en, vi };
