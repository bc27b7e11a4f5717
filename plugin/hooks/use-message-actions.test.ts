// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { BatchItemResult, BatchResponse } from '../../shared/release';
import { ApiError } from '../api/client';
import { fakeClient } from '../testing/fakes';
import { useMessageActions } from './use-message-actions';

describe('useMessageActions', () => {
  it('runs one action on one message, says it is working, then that it worked, and gives the message\u2019s new state', async () => {
    const client = fakeClient({ release: vi.fn().mockResolvedValue({ id: 'm1', status: 'released', alreadyReleased: false, reply: null }) });
    const notify = vi.fn();
    const { result } = renderHook(() => useMessageActions(client, notify));
    let ran: BatchItemResult[] | null = null;
    await act(async () => {
      ran = await result.current.run('release', ['m1']);
    });
    expect(ran).toEqual([{ id: 'm1', ok: true, status: 'released' }]);
    expect(notify).toHaveBeenNthCalledWith(1, { kind: 'info', text: 'Releasing…' });
    expect(client.release).toHaveBeenCalledWith('m1');
    expect(notify).toHaveBeenCalledWith({ kind: 'success', text: 'Message released. It is on its way to your inbox.' });
    expect(result.current.busy).toBe(false);
  });

  it('counts a batch by ok: 50 deletes done are "50 deleted"', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `m${i}`);
    const body: BatchResponse = { results: ids.map((id) => ({ id, ok: true, status: 'deleted' })) };
    const client = fakeClient({ batchWithProgress: vi.fn().mockResolvedValue(body) });
    const notify = vi.fn();
    const { result } = renderHook(() => useMessageActions(client, notify));
    let ran: BatchItemResult[] | null = null;
    await act(async () => {
      ran = await result.current.run('delete', ids);
    });
    expect(ran).toEqual(body.results);
    expect(client.batchWithProgress).toHaveBeenCalledWith('delete', ids, expect.any(Function));
    expect(notify).toHaveBeenCalledWith({ kind: 'success', text: '50 deleted' });
  });

  it('reports a partly failed batch as an error that says why, in the user\u2019s words', async () => {
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
    expect(notify).toHaveBeenCalledWith({ kind: 'error', text: '1 requested; 1 failed: Another action is under way. Try again in a moment.' });
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
    let first: Promise<unknown> = Promise.resolve(null);
    await act(() => {
      first = result.current.run('release', ids);
    });
    expect(result.current).toMatchObject({ busy: true, progress: { done: 0, total: 50 } });
    await act(() => report({ done: 23, total: 50 }));
    expect(result.current.progress).toEqual({ done: 23, total: 50 });
    let second: unknown = [];
    await act(async () => {
      second = await result.current.run('release', ids);
    });
    expect(second).toBeNull();
    expect(batchWithProgress).toHaveBeenCalledTimes(1);
    const results: BatchResponse['results'] = ids.map((id, i) =>
      i % 10 === 0
        ? { id, ok: false, code: 'internal', message: 'something went wrong', httpStatus: 500 }
        : i === 1
          ? { id, ok: false, code: 'release_failed', message: 'amavisd refused', httpStatus: 502 }
          : { id, ok: true, status: 'released' },
    );
    await act(async () => {
      finish({ results });
      await first;
    });
    expect(result.current).toMatchObject({ busy: false, progress: null });
    expect(notify).toHaveBeenCalledWith({
      kind: 'error',
      text: '44 released; 6 failed: Server error. Please try again. (5) The release failed. (1)',
    });
  });

  it('shows amavisd\u2019s reply when a release fails, and resolves with the failure', async () => {
    const failure = new ApiError(502, 'release_failed', 'amavisd did not release it.', { reply: { code: 450, enhanced: '4.5.0', text: 'try later' } });
    const notify = vi.fn();
    const { result } = renderHook(() => useMessageActions(fakeClient({ release: vi.fn().mockRejectedValue(failure) }), notify));
    let ran: BatchItemResult[] | null = null;
    await act(async () => {
      ran = await result.current.run('release', ['m1']);
    });
    expect(ran).toEqual([{ id: 'm1', ok: false, code: 'release_failed', message: 'amavisd did not release it.', httpStatus: 502 }]);
    expect(notify).toHaveBeenCalledWith({ kind: 'error', text: 'The release failed. The mail server answered: 450 4.5.0 try later' });
  });

  it('does nothing for no ids', async () => {
    const notify = vi.fn();
    const { result } = renderHook(() => useMessageActions(fakeClient(), notify));
    expect(await result.current.run('delete', [])).toBeNull();
    expect(notify).not.toHaveBeenCalled();
  });

  it('holds a risky action until the user confirms it, and sends it once', async () => {
    const release = vi.fn().mockResolvedValue({ id: 'v1', status: 'released', alreadyReleased: false, reply: null });
    const then = vi.fn();
    const { result } = renderHook(() => useMessageActions(fakeClient({ release }), vi.fn()));
    await act(() => result.current.ask('release', ['v1'], 'It contains a virus.', then));
    expect(result.current.pending).toEqual({ action: 'release', ids: ['v1'], text: 'It contains a virus.' });
    expect(release).not.toHaveBeenCalled();
    await act(() => result.current.cancel());
    expect(result.current.pending).toBeNull();
    await act(() => result.current.ask('release', ['v1'], 'It contains a virus.', then));
    await act(async () => {
      result.current.confirm();
      await Promise.resolve();
    });
    await vi.waitFor(() => expect(then).toHaveBeenCalledWith([{ id: 'v1', ok: true, status: 'released' }]));
    expect(release).toHaveBeenCalledTimes(1);
    expect(result.current.pending).toBeNull();
  });
});
