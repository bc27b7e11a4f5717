// @vitest-environment jsdom
import { act, renderHook, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sessionOf } from '../testing/fakes';
import { ssoEmail, useSession } from './use-session';

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

  it('reads the address of an SSO token, and nothing from garbage', () => {
    expect(ssoEmail(token('Alice@Example.test'))).toBe('alice@example.test');
    expect(ssoEmail('%%%')).toBe('');
  });
});
