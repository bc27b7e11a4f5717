import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../shared/errors';
import { codeKey } from '../api/actions';
import { allEnglish, ENGLISH_PARTS } from '../testing/english';
import { de } from './de';
import { fr } from './fr';
import { createI18n } from './index';

describe('the catalogs', () => {
  it.each([
    ['de', de],
    ['fr', fr],
  ])('%s translates every English key (the main file\u2019s and the chunks\u2019), with the same placeholders and plural forms', (_, catalog) => {
    for (const [key, text] of Object.entries(allEnglish)) {
      const translated = catalog[key as keyof typeof allEnglish];
      expect(translated, key).toBeTypeOf('string');
      const shape = (s: string) => [s.split('|').length, [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()];
      expect(shape(translated!), key).toEqual(shape(text));
    }
  });

  it('has each English string in one part only, so no chunk can show another text than the main file', () => {
    const seen = new Map<string, string>();
    for (const [part, strings] of Object.entries(ENGLISH_PARTS)) {
      for (const key of Object.keys(strings)) {
        expect(seen.get(key), `${key} in ${part}`).toBeUndefined();
        seen.set(key, part);
      }
    }
  });

  it('asks about the sender\u2019s other messages in the plural each language needs', () => {
    expect(createI18n('en').t('othersAsk', { n: 1 })).toBe('1 more message from this sender is in your quarantine. Delete it too?');
    expect(createI18n('de', undefined, de).t('othersAsk', { n: 3 })).toBe('Noch 3 Nachrichten dieses Absenders sind in Ihrer Quarantäne. Auch löschen?');
    // French puts 0 and 1 in the singular.
    expect(createI18n('fr', undefined, fr).t('othersAsk', { n: 1 })).toContain('Le supprimer aussi');
    expect(createI18n('fr', undefined, fr).t('othersAsk', { n: 2 })).toContain('Les supprimer aussi');
  });

  it.each([
    ['en', allEnglish],
    ['de', de],
    ['fr', fr],
  ])('%s has a message for every API error code (and for an unreachable server)', (_, catalog) => {
    const missing = [...ERROR_CODES, 'network_error'].filter((code) => typeof (catalog as Record<string, string | undefined>)[codeKey(code)] !== 'string');
    expect(missing).toEqual([]);
  });
});
