import { en, type Dictionary, type MessageKey } from './i18n-en';
import { it } from './i18n-it';

export type { MessageKey };

/**
 * English and Italian. The English dictionary defines the keys; Italian must have every key
 * (checked by TypeScript and by renderer/test/i18n-complete.test.ts). `{name}` placeholders are
 * filled by `t(key, {name})`. The words the tray and notifications share come from
 * contract/shell-text.ts, so the window and the shell say the same.
 */
export type Language = 'en' | 'it';
const dictionaries: Record<Language, Dictionary> = { en, it };
/** Both dictionaries as written, for the completeness test. */
export const DICTIONARIES: Readonly<Record<Language, Readonly<Record<string, string>>>> = dictionaries;

/** 'auto' follows the browser; anything not Italian is English. */
export function pickLanguage(setting: string | undefined, browser: string | undefined): Language {
  if (setting === 'en' || setting === 'it') return setting;
  return browser?.toLowerCase().startsWith('it') ? 'it' : 'en';
}

export function translate(lang: Language, key: MessageKey, params?: Record<string, string | number>): string {
  const text = dictionaries[lang][key] ?? en[key];
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
}

export const MESSAGE_KEYS = Object.keys(en) as MessageKey[];

export const LOCALES: Record<Language, string> = { en: 'en-GB', it: 'it-IT' };
