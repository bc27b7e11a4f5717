import { describe, expect, it } from 'vitest';
import type { BatchItemResult } from '../../shared/release';
import type { QuarantineItem } from '../../shared/quarantine';
import { applyResult, errorText, extrasFor, offered, summarizeBatch } from './actions';
import { de as deCatalog } from '../i18n/de';
import { fr } from '../i18n/fr';
import { createI18n } from '../i18n';
import { ApiError } from './client';

const t = (key: string, vars: Record<string, string> = {}) => `${key}${Object.keys(vars).length ? JSON.stringify(vars) : ''}`;

describe('widget actions', () => {
  it('offers only the actions the server allows, in display order', () => {
    expect(offered(['delete', 'request'])).toEqual(['request', 'delete']);
    expect(offered(['delete', 'release_all', 'release', 'purge'])).toEqual(['release', 'delete']);
    expect(offered([])).toEqual([]);
  });

  it('counts a batch by each result\u2019s ok (50 deletes done is 50 done, none failed)', () => {
    const results: BatchItemResult[] = Array.from({ length: 50 }, (_, i) => ({ id: `m${i}`, ok: true, status: 'deleted' }));
    expect(summarizeBatch(results)).toEqual({ done: 50, already: 0, failed: [] });
    const failure: BatchItemResult = { id: 'x', ok: false, code: 'forbidden', message: 'you may not release this message', httpStatus: 403 };
    expect(summarizeBatch([...results.slice(0, 2), failure])).toEqual({ done: 2, already: 0, failed: [failure] });
  });

  it('counts copies SpamAssassin had already learned apart from those it learned now', () => {
    const results: BatchItemResult[] = [
      { id: 'a', ok: true, status: 'learned' },
      { id: 'b', ok: true, status: 'already_learned' },
      { id: 'c', ok: true, status: 'already_learned' },
      { id: 'd', ok: false, code: 'learning_failed', message: 'SpamAssassin did not learn it', httpStatus: 502 },
    ];
    expect(summarizeBatch(results)).toEqual({ done: 1, already: 2, failed: [results[3]] });
  });

  it('words a failure in the user\u2019s language, with amavisd\u2019s own reply when there is one', () => {
    const reply = { code: 554, enhanced: '5.7.1', text: 'rejected' };
    const { t: de } = createI18n('de', undefined, deCatalog);
    expect(errorText(new ApiError(502, 'release_failed', 'Release failed.', { reply }), de)).toBe(
      'Die Freigabe ist fehlgeschlagen. Der Mailserver antwortete: 554 5.7.1 rejected',
    );
    expect(errorText(new ApiError(404, 'not_found', 'No such message.'), createI18n('fr', undefined, fr).t)).toBe('N’est plus en quarantaine.');
    expect(errorText(new ApiError(401, 'invalid_credentials', 'wrong e-mail address or password'), de)).toBe('Falsche E-Mail-Adresse oder falsches Passwort.');
    // A code this widget does not know yet (a newer server) keeps the server's words.
    expect(errorText(new ApiError(418, 'teapot' as 'internal', 'I am a teapot.'), de)).toBe('I am a teapot.');
    expect(errorText(new Error('boom'), t)).toBe('error');
  });

  it('offers the list’s extras by the session’s capabilities: "Not spam" only for spam the user may release', () => {
    const item = (id: string, type: QuarantineItem['type'], actions: QuarantineItem['actions']) => ({ id, type, actions }) as QuarantineItem;
    const items = [item('a', 'spam', ['release', 'delete']), item('b', 'spam', ['request', 'delete']), item('c', 'banned', ['request', 'delete'])];
    expect(extrasFor(items, { learn: true, senderLists: true })).toEqual([
      ['not_spam', ['a']],
      ['learn_spam', ['a', 'b', 'c']],
      ['allow_sender', ['a', 'b', 'c']],
      ['block_sender', ['a', 'b', 'c']],
    ]);
    expect(extrasFor(items.slice(1), { learn: true })).toEqual([['learn_spam', ['b', 'c']]]);
    expect(extrasFor(items, {})).toEqual([]);
    expect(extrasFor([], { learn: true, senderLists: true })).toEqual([]);
    // A row left listed as Deleted gets none of them.
    const deleted = { ...items[0], status: 'deleted' } as QuarantineItem;
    expect(extrasFor([deleted], { learn: true, senderLists: true })).toEqual([]);
    expect(extrasFor([deleted, items[2]!], { learn: true })).toEqual([['learn_spam', ['c']]]);
  });

  it('shows a copy "Not spam" went through as released, and leaves one a sender list or learning touched as it was', () => {
    const item = { id: 'a', type: 'spam', status: 'new', actions: ['release', 'delete'] } as unknown as QuarantineItem;
    expect(applyResult(item, { id: 'a', ok: true, status: 'not_spam' })).toMatchObject({ status: 'released', actions: ['delete'] });
    for (const status of ['learned', 'already_learned', 'allowed', 'blocked'] as const) expect(applyResult(item, { id: 'a', ok: true, status })).toBe(item);
  });
});
