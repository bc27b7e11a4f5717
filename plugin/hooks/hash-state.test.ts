// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_STATE, readState, stateHash, writeState, type ListState } from './hash-state';
import { NO_FILTERS } from './use-quarantine-query';

const state: ListState = {
  filters: { ...NO_FILTERS, q: 'invoice & co', type: 'spam', sort: 'date-asc' },
  pages: 3,
  scroll: 420,
  selected: ['a1', 'b2'],
  open: 'c3',
};

describe('the list state in the URL hash', () => {
  afterEach(() => history.replaceState(null, '', '/'));

  it('reads back what it wrote, and only what differs from the defaults', () => {
    const hash = stateHash(state);
    expect(hash.startsWith('#aq?')).toBe(true);
    expect(hash).not.toContain('status');
    expect(readState(hash)).toEqual(state);
    expect(stateHash(EMPTY_STATE)).toBe('');
  });

  it('ignores what is not its own or malformed', () => {
    expect(readState('#inbox/42')).toEqual(EMPTY_STATE);
    expect(readState('#aq?sort=drop%20table&pages=-4&scroll=x')).toEqual(EMPTY_STATE);
    expect(readState('#aq?pages=999').pages).toBe(20);
  });

  it('writes the page’s hash without a history entry, but never over a host’s own hash', () => {
    const before = history.length;
    writeState(state);
    expect(location.hash).toBe(stateHash(state));
    expect(history.length).toBe(before);
    writeState(EMPTY_STATE);
    expect(location.hash).toBe('');
    history.replaceState(null, '', '/#/mail/inbox');
    writeState(state);
    expect(location.hash).toBe('#/mail/inbox');
  });
});
