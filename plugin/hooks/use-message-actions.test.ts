// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { BatchResponse } from '../../shared/release';
import { ApiError } from '../api/client';
import { fakeClient } from '../testing/fakes';
import { useMessageActions } from './use-message-actions';

describe('useMessageActions', () => {
  it('runs one action on one message and says it worked', async () => {
    const client = fakeClient({ release: vi.fn().mockResolvedValue({ id: 'm1', status: 'released', alreadyReleased: false, reply: null }) });
    const notify = vi.fn();
    const { result } = renderHook(() => useMessageActions(client, notify));
    let ran = false;
    await act(async () => {
      ran = await result.current.run('release', ['m1']);
    });
    expect(ran).toBe(true);
    expect(client.release).toHaveBeenCalledWith('m1');
    expect(notify).toHaveBeenCalledWith({ kind: 'success', text: 'Message released. It is on its way to your inbox.' });
    expect(result.current.busy).toBe(false);
  });

  it('counts a batch by ok: 50 deletes done are "50 messages done"', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `m${i}`);
    const body: BatchResponse = { results: ids.map((id) => ({ id, ok: true, status: 'deleted' })) };
    const client = fakeClient({ batchWithProgress: vi.fn().mockResolvedValue(body) });
    const notify = vi.fn();
    const { result } = renderHook(() => useMessageActions(client, notify));
    let ran = false;
    await act(async () => {
      ran = await result.current.run('delete', ids);
    });
    expect(ran).toBe(true);
    expect(client.batchWithProgress).toHaveBeenCalledWith('delete', ids, expect.any(Function));
    expect(notify).toHaveBeenCalledWith({ kind: 'success', text: '50 messages done' });
  });

  it('reports a partly failed batch as an error with the first failure', async () => {
    const body: BatchResponse = {
      results: [
        { id: 'a', ok: true, status: 'requested' },
        { id: 'b', ok: false, code: 'conflict', message: 'already requested', httpStatus: 409 },
      ],
    };
    const notify = vi.fn();
    const { result } = renderHook(() => useMessageActions(fakeClient({ batchWithProgress: vi.fn().mockResolvedValue(body) }), notify));
    await act(async () => {
      await result.current.run('request', ['a', 'b']);
    });
    expect(notify).toHaveBeenCalledWith({ kind: 'error', text: '1 message done; 1 failed: already requested' });
  });

  it('says how far a batch is while it runs, and ignores a second click until it is done', async () => {
    let report: (p: { done: number; total: number }) => void = () => undefined;
    let finish: (body: BatchResponse) => void = () => undefined;
    const batchWithProgress = vi.fn((_action: string, _ids: string[], onProgress: typeof report) => {
      report = onProgress;
      return new Promise<BatchResponse>((resolve) => (finish = resolve));
    });
    const ids = Array.from({ length: 50 }, (_, i) => `m${i}`);
    const notify = vi.fn();
    const { result } = renderHook(() => useMessageActions(fakeClient({ batchWithProgress }), notify));
    let first: Promise<boolean> = Promise.resolve(false);
    await act(() => {
      first = result.current.run('release', ids);
    });
    expect(result.current).toMatchObject({ busy: true, progress: { done: 0, total: 50 } });
    await act(() => report({ done: 23, total: 50 }));
    expect(result.current.progress).toEqual({ done: 23, total: 50 });
    let second = true;
    await act(async () => {
      second = await result.current.run('release', ids);
    });
    expect(second).toBe(false);
    expect(batchWithProgress).toHaveBeenCalledTimes(1);
    const results: BatchResponse['results'] = ids.map((id, i) =>
      i % 10 === 0 ? { id, ok: false, code: 'internal', message: 'something went wrong', httpStatus: 500 } : { id, ok: true, status: 'released' },
    );
    await act(async () => {
      finish({ results });
      await first;
    });
    expect(result.current).toMatchObject({ busy: false, progress: null });
    expect(notify).toHaveBeenCalledWith({ kind: 'error', text: '45 messages done; 5 failed: something went wrong' });
  });

  it('shows amavisd\u2019s reply when a release fails, and resolves false', async () => {
    const failure = new ApiError(502, 'release_failed', 'amavisd did not release it.', { reply: { code: 450, enhanced: '4.5.0', text: 'try later' } });
    const notify = vi.fn();
    const { result } = renderHook(() => useMessageActions(fakeClient({ release: vi.fn().mockRejectedValue(failure) }), notify));
    let ran = true;
    await act(async () => {
      ran = await result.current.run('release', ['m1']);
    });
    expect(ran).toBe(false);
    expect(notify).toHaveBeenCalledWith({ kind: 'error', text: 'amavisd did not release it. The mail server answered: 450 4.5.0 try later' });
  });

  it('does nothing for no ids', async () => {
    const notify = vi.fn();
    const { result } = renderHook(() => useMessageActions(fakeClient(), notify));
    expect(await result.current.run('delete', [])).toBe(false);
    expect(notify).not.toHaveBeenCalled();
  });
});
