// @vitest-environment jsdom
import { act, renderHook, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sessionOf } from '../testing/fakes';
import { isUser, ssoEmail, useSession } from './use-session';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const token = (email: string) => `${btoa(email).replace(/=+$/, '')}.1700000000.signature`;

// useSession builds its own client, so these tests fake the network under it.
describe('useSession', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is undefined while checking, then the existing session', async () => {
    const alice = sessionOf('alice@example.test');
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(json(200, alice)));
    const { result } = renderHook(() => useSession('/api'));
    expect(result.current.session).toBeUndefined();
    await waitFor(() => expect(result.current.session).toEqual(alice));
    expect(result.current.expired).toBe(false);
  });

  it('is null without a session, and takes the one a sign-in returns', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(json(401, { code: 'unauthorized', message: 'sign in' })));
    const { result } = renderHook(() => useSession('/api'));
    await waitFor(() => expect(result.current.session).toBeNull());
    const bob = sessionOf('bob@example.test');
    await act(() => result.current.signedIn(bob));
    expect(result.current.session).toEqual(bob);
  });

  it('signs out on a 401 from any other call, and says the session expired', async () => {
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(json(200, sessionOf('alice@example.test')))
      .mockResolvedValueOnce(json(401, { code: 'session_expired', message: 'expired' }));
    vi.stubGlobal('fetch', fetchMock);
    const { result } = renderHook(() => useSession('/api'));
    await waitFor(() => expect(result.current.session).not.toBeUndefined());
    await act(async () => {
      await result.current.client.list({}).catch(() => undefined);
    });
    expect(result.current.session).toBeNull();
    expect(result.current.expired).toBe(true);
  });

  it('signs out on the server and locally, even when the server is gone', async () => {
    vi.stubGlobal(
      'fetch',
      vi
        .fn()
        .mockResolvedValueOnce(json(200, sessionOf('alice@example.test')))
        .mockRejectedValueOnce(new TypeError('offline')),
    );
    const { result } = renderHook(() => useSession('/api'));
    await waitFor(() => expect(result.current.session).not.toBeUndefined());
    await act(() => result.current.signOut());
    expect(result.current.session).toBeNull();
    expect(result.current.expired).toBe(false);
  });

  it('signs in by an SSO token, and falls back to an existing session only of the same user', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const alice = sessionOf('alice@example.test');
    const ssoFails = () => json(401, { code: 'sso_expired', message: 'expired token' });
    vi.stubGlobal('fetch', vi.fn().mockResolvedValueOnce(ssoFails()).mockResolvedValueOnce(json(200, alice)));
    const same = renderHook(() => useSession('/api', token('alice@example.test')));
    await waitFor(() => expect(same.result.current.session).toEqual(alice));

    vi.stubGlobal('fetch', vi.fn().mockResolvedValueOnce(ssoFails()).mockResolvedValueOnce(json(200, alice)));
    const other = renderHook(() => useSession('/api', token('bob@example.test')));
    await waitFor(() => expect(other.result.current.session).toBeNull());
  });

  it("never shows a session of another user than the webmail's: it signs that session out", async () => {
    const carol = sessionOf('carol@other.test');
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(json(200, carol))
      .mockResolvedValueOnce(new Response(null, { status: 204 }));
    vi.stubGlobal('fetch', fetchMock);
    const { result } = renderHook(() => useSession('/api', undefined, 'bob@example.test'));
    await waitFor(() => expect(result.current.session).toBeNull());
    expect(fetchMock).toHaveBeenCalledTimes(2);
    const [url, init] = fetchMock.mock.calls[1] as [string, RequestInit];
    expect([url, init.method]).toEqual(['/api/session', 'DELETE']);
    expect(new Headers(init.headers).get('X-CSRF-Token')).toBe(carol.csrfToken);
    expect(result.current.expired).toBe(false);
  });

  it("keeps the session of the webmail's user, by address or by bare login name", async () => {
    const bob = sessionOf('bob@example.test');
    // A fresh Response per call: a body is read once.
    vi.stubGlobal(
      'fetch',
      vi.fn().mockImplementation(() => Promise.resolve(json(200, bob))),
    );
    const byAddress = renderHook(() => useSession('/api', undefined, 'Bob@Example.test'));
    await waitFor(() => expect(byAddress.result.current.session).toEqual(bob));
    const byName = renderHook(() => useSession('/api', undefined, 'bob'));
    await waitFor(() => expect(byName.result.current.session).toEqual(bob));
    expect(isUser('bob@example.test', 'bo')).toBe(false);
    expect(isUser('bob@example.test', 'bob@example.org')).toBe(false);
  });

  it('reads the address of an SSO token, and nothing from garbage', () => {
    expect(ssoEmail(token('Alice@Example.test'))).toBe('alice@example.test');
    expect(ssoEmail('%%%')).toBe('');
  });
});
