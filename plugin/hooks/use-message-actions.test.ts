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
    const client = fakeClient({ batch: vi.fn().mockResolvedValue(body) });
    const notify = vi.fn();
    const { result } = renderHook(() => useMessageActions(client, notify));
    let ran = false;
    await act(async () => {
      ran = await result.current.run('delete', ids);
    });
    expect(ran).toBe(true);
    expect(client.batch).toHaveBeenCalledWith('delete', ids);
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
    const { result } = renderHook(() => useMessageActions(fakeClient({ batch: vi.fn().mockResolvedValue(body) }), notify));
    await act(async () => {
      await result.current.run('request', ['a', 'b']);
    });
    expect(notify).toHaveBeenCalledWith({ kind: 'error', text: '1 message done; 1 failed: already requested' });
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
