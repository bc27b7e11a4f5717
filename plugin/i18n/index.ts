import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { dateFormatters, type DateOptions } from './dates';
import { en, type Catalog, type MessageKey } from './en';

// English is built in; de.ts and fr.ts are chunks of their own, loaded for their users (use-catalog.ts).
const LOCALES = ['en', 'de', 'fr'];

// The main file's English strings, and those of the chunks loaded so far (en-*.ts parts), looked up after them.
const english: Partial<Catalog> = en;
const chunkStrings: Partial<Catalog> = {};

/**
 * Adds English strings only a chunk's screens use: its module calls this as it runs, so they are in place
 * before the screen first renders (lazy-view.tsx renders it only once the chunk's script has run).
 */
export function addStrings(...parts: Partial<Catalog>[]): void {
  Object.assign(chunkStrings, ...parts);
}

/** Translation and formatting for one locale. */
export interface I18n {
  locale: string;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  /** A short date: the time alone for today. */
  date: (iso: string) => string;
  /** The full date and time. */
  dateTime: (iso: string) => string;
}

/** Picks the best supported locale for a tag such as `de-CH` (falls back to English). */
export function pickLocale(tag: string | undefined): string {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return LOCALES.includes(base) ? base : 'en';
}

export type { DateOptions } from './dates';

/**
 * Builds the translator over the locale's catalog (English, or the loaded de/fr chunk's; a missing string
 * falls back to English: the main file's, then the loaded chunks' parts): plural forms from Intl.PluralRules,
 * dates in the user's zone and formats (dates.ts).
 */
export function createI18n(tag: string | undefined, dates?: DateOptions, catalog: Partial<Catalog> = english): I18n {
  const locale = pickLocale(tag);
  const plural = new Intl.PluralRules(locale);
  return {
    locale,
    t(key, vars = {}) {
      const forms = (catalog[key] ?? english[key] ?? chunkStrings[key] ?? key).split('|');
      const n = typeof vars.n === 'number' ? vars.n : undefined;
      const text = forms.length > 1 && n !== undefined ? (plural.select(n) === 'one' ? forms[0] : forms[1]) : forms[0];
      return (text ?? '').replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
    },
    ...dateFormatters(locale, dates),
  };
}

export const I18nContext = createContext<I18n>(createI18n('en'));

/** The translator of the mounted widget. */
export const useI18n = (): I18n => useContext(I18nContext);
