// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import type { QuarantineItem } from '../../shared/quarantine';
import { item } from '../testing/fakes';
import { useSelection } from './use-selection';

const spam = item({ id: 'spam', actions: ['release', 'delete'] });
const banned = item({ id: 'banned', type: 'banned', actions: ['request', 'delete'] });
const released = item({ id: 'released', status: 'released', actions: ['delete'] });

describe('useSelection', () => {
  it('offers a bulk action that at least one selected item allows, for those items only', async () => {
    const { result } = renderHook(() => useSelection([spam, banned, released]));
    expect(result.current.offered).toEqual([]);
    await act(() => result.current.toggle('banned'));
    await act(() => result.current.toggle('released'));
    expect(result.current.offered).toEqual(['request', 'delete']);
    expect(result.current.idsFor('request')).toEqual(['banned']);
    expect(result.current.idsFor('delete')).toEqual(['banned', 'released']);
    expect(result.current.idsFor('release')).toEqual([]);
    await act(() => result.current.toggle('spam'));
    expect(result.current.offered).toEqual(['release', 'request', 'delete']);
    expect(result.current.idsFor('release')).toEqual(['spam']);
  });

  it('selects all and none, and toggles one', async () => {
    const { result } = renderHook(() => useSelection([spam, banned]));
    await act(() => result.current.toggleAll());
    expect(result.current.allSelected).toBe(true);
    expect(result.current.count).toBe(2);
    await act(() => result.current.toggle('spam'));
    expect(result.current.isSelected('spam')).toBe(false);
    expect(result.current.allSelected).toBe(false);
    await act(() => result.current.toggleAll());
    await act(() => result.current.toggleAll());
    expect(result.current.count).toBe(0);
  });

  it('counts only selected ids that are still listed', async () => {
    const { result, rerender } = renderHook(({ items }: { items: QuarantineItem[] }) => useSelection(items), { initialProps: { items: [spam, banned] } });
    await act(() => result.current.toggleAll());
    rerender({ items: [banned] });
    expect(result.current.count).toBe(1);
    expect(result.current.idsFor('delete')).toEqual(['banned']);
    await act(() => result.current.clear());
    expect(result.current.count).toBe(0);
  });
});

describe('useSelection clicks, as in Roundcube', () => {
  const rows = ['a', 'b', 'c', 'd', 'e'].map((id) => item({ id, actions: ['release', 'delete'] }));

  it('shift-click selects the range from the last clicked row, ctrl-click toggles one, a plain click clears', async () => {
    const { result } = renderHook(() => useSelection(rows));
    await act(() => result.current.click('b', { shift: false, toggle: false }));
    expect(result.current.ids).toEqual([]);
    await act(() => result.current.click('d', { shift: true, toggle: false }));
    expect(result.current.ids).toEqual(['b', 'c', 'd']);
    await act(() => result.current.click('a', { shift: false, toggle: true }));
    expect(result.current.ids).toEqual(['a', 'b', 'c', 'd']);
    await act(() => result.current.click('c', { shift: false, toggle: true }));
    expect(result.current.ids).toEqual(['a', 'b', 'd']);
    // From the last clicked (c) to e, replacing the rest.
    await act(() => result.current.click('e', { shift: true, toggle: false }));
    expect(result.current.ids).toEqual(['c', 'd', 'e']);
    await act(() => result.current.click('a', { shift: false, toggle: false }));
    expect(result.current.count).toBe(0);
  });

  it('starts from a kept selection, ignoring ids no longer listed', () => {
    const { result } = renderHook(() => useSelection(rows, ['e', 'gone', 'b']));
    expect(result.current.ids).toEqual(['b', 'e']);
  });
});
