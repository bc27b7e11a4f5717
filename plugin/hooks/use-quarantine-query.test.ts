// @vitest-environment jsdom
import { act, renderHook, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { QuarantineListResponse } from '../../shared/quarantine';
import { fakeClient, item } from '../testing/fakes';
import { listQuery, NO_FILTERS, useQuarantineQuery } from './use-quarantine-query';

const page = (ids: string[], nextCursor: string | null = null): QuarantineListResponse => ({ items: ids.map((id) => item({ id })), nextCursor });

describe('useQuarantineQuery', () => {
  it('loads the first page, then the next one by its cursor', async () => {
    const client = fakeClient({
      list: vi
        .fn()
        .mockResolvedValueOnce(page(['a', 'b'], 'c1'))
        .mockResolvedValueOnce(page(['c'])),
    });
    const onLoaded = vi.fn();
    const { result } = renderHook(() => useQuarantineQuery(client, { onLoaded, onError: vi.fn() }));
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(result.current.hasMore).toBe(true);
    await act(() => result.current.loadMore());
    expect(client.list).toHaveBeenLastCalledWith(expect.objectContaining({ cursor: 'c1' }));
    expect(result.current.items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(result.current.hasMore).toBe(false);
    expect((onLoaded.mock.calls as [unknown[], boolean][]).map(([items, more]) => [items.length, more])).toEqual([
      [2, false],
      [1, true],
    ]);
  });

  it('reloads from the first page when a filter changes', async () => {
    const client = fakeClient({
      list: vi
        .fn()
        .mockResolvedValueOnce(page(['a'], 'c1'))
        .mockResolvedValueOnce(page(['v'])),
    });
    const { result } = renderHook(() => useQuarantineQuery(client, { onError: vi.fn() }));
    await waitFor(() => expect(result.current.loading).toBe(false));
    await act(() => result.current.setFilter({ type: 'virus' }));
    await waitFor(() => expect(result.current.items.map((i) => i.id)).toEqual(['v']));
    expect(client.list).toHaveBeenLastCalledWith(expect.objectContaining({ type: 'virus', q: '', cursor: undefined }));
    expect(result.current.filters).toEqual({ ...NO_FILTERS, type: 'virus' });
  });

  it('keeps the answer to the latest filter when an older one arrives late', async () => {
    let answerOld: (r: QuarantineListResponse) => void = () => undefined;
    const client = fakeClient({
      list: vi
        .fn()
        .mockReturnValueOnce(new Promise((resolve) => (answerOld = resolve)))
        .mockResolvedValueOnce(page(['new'])),
    });
    const { result } = renderHook(() => useQuarantineQuery(client, { onError: vi.fn() }));
    await act(() => result.current.setFilter({ q: 'new' }));
    await waitFor(() => expect(result.current.items.map((i) => i.id)).toEqual(['new']));
    await act(() => answerOld(page(['old'])));
    expect(result.current.items.map((i) => i.id)).toEqual(['new']);
    expect(result.current.loading).toBe(false);
  });

  it('reports a failed load and stops loading', async () => {
    const failure = new Error('down');
    const onError = vi.fn();
    const client = fakeClient({ list: vi.fn().mockRejectedValue(failure) });
    const { result } = renderHook(() => useQuarantineQuery(client, { onError }));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(onError).toHaveBeenCalledWith(failure);
    expect(result.current.items).toEqual([]);
  });

  it('asks the API for the day after "until", as its bound excludes it', () => {
    expect(listQuery({ ...NO_FILTERS, until: '2026-02-28' })).toMatchObject({ until: '2026-03-01', limit: 50 });
    expect(listQuery(NO_FILTERS, 'c')).toMatchObject({ until: '', cursor: 'c' });
  });

  it('asks for an order and its direction', () => {
    expect(listQuery(NO_FILTERS)).toMatchObject({ sort: 'date', dir: '' });
    // Open, the default, leaves released mail out; "all" asks for any status (but deleted, the API's default).
    expect(listQuery(NO_FILTERS)).toMatchObject({ status: ['new', 'viewed', 'requested'] });
    expect(listQuery({ ...NO_FILTERS, status: 'all' })).toMatchObject({ status: '' });
    expect(listQuery({ ...NO_FILTERS, status: 'released' })).toMatchObject({ status: 'released' });
    expect(listQuery({ ...NO_FILTERS, sort: 'sender-asc' })).toMatchObject({ sort: 'sender', dir: 'asc' });
  });
});
