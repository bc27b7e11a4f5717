import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../shared/errors';
import { codeKey } from '../api/actions';
import { de } from './de';
import { en } from './en';
import { fr } from './fr';
import { createI18n } from './index';

describe('the catalogs', () => {
  it.each([
    ['de', de],
    ['fr', fr],
  ])('%s translates every English key, with the same placeholders and plural forms', (_, catalog) => {
    for (const [key, text] of Object.entries(en)) {
      const translated = catalog[key as keyof typeof en];
      expect(translated, key).toBeTypeOf('string');
      const shape = (s: string) => [s.split('|').length, [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()];
      expect(shape(translated!), key).toEqual(shape(text));
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
    ['en', en],
    ['de', de],
    ['fr', fr],
  ])('%s has a message for every API error code (and for an unreachable server)', (_, catalog) => {
    const missing = [...ERROR_CODES, 'network_error'].filter((code) => typeof (catalog as Record<string, string | undefined>)[codeKey(code)] !== 'string');
    expect(missing).toEqual([]);
  });
});
