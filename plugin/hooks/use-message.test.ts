// @vitest-environment jsdom
import { act, renderHook, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { detailOf, fakeClient, item } from '../testing/fakes';
import { useMessage } from './use-message';

const detail = detailOf(item({ id: 'm1' }));

describe('useMessage', () => {
  it('loads the message by id', async () => {
    const client = fakeClient({ message: vi.fn().mockResolvedValue(detail) });
    const { result } = renderHook(() => useMessage(client, 'm1'));
    expect(result.current).toMatchObject({ detail: null, error: null });
    await waitFor(() => expect(result.current.detail).toEqual(detail));
    expect(client.message).toHaveBeenCalledWith('m1');
  });

  it('ends in an error, not in loading forever, when the message cannot be loaded', async () => {
    const gone = new ApiError(404, 'not_found', 'No such message.');
    const client = fakeClient({ message: vi.fn().mockRejectedValue(gone) });
    const { result } = renderHook(() => useMessage(client, 'm1'));
    await waitFor(() => expect(result.current.error).toBe(gone));
    expect(result.current.detail).toBeNull();
  });

  it('reloads after an action, and keeps what it shows when the reload fails', async () => {
    const after = detailOf(item({ id: 'm1', status: 'released', actions: ['delete'] }));
    const message = vi.fn().mockResolvedValueOnce(detail).mockResolvedValueOnce(after).mockRejectedValueOnce(new Error('down'));
    const client = fakeClient({ message });
    const { result } = renderHook(() => useMessage(client, 'm1'));
    await waitFor(() => expect(result.current.detail).toEqual(detail));
    await act(() => result.current.reload());
    expect(result.current.detail).toEqual(after);
    await act(() => result.current.reload());
    expect(result.current.detail).toEqual(after);
    expect(result.current.error).toBeInstanceOf(Error);
  });

  it('ignores the answer for a message no longer shown', async () => {
    let answerFirst: (d: typeof detail) => void = () => undefined;
    const second = detailOf(item({ id: 'm2' }));
    const message = vi
      .fn()
      .mockReturnValueOnce(new Promise((resolve) => (answerFirst = resolve)))
      .mockResolvedValueOnce(second);
    const client = fakeClient({ message });
    const { result, rerender } = renderHook(({ id }: { id: string }) => useMessage(client, id), { initialProps: { id: 'm1' } });
    rerender({ id: 'm2' });
    await waitFor(() => expect(result.current.detail).toEqual(second));
    await act(() => answerFirst(detail));
    expect(result.current.detail).toEqual(second);
  });
});
