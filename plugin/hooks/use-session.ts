import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { SessionResponse } from '../../shared/session';
import { createApiClient } from '../api/client';

/** The address a single sign-on token is for (its first part is base64url(email)); not verified here. */
export const ssoEmail = (token: string): string => {
  try {
    return atob((token.split('.')[0] ?? '').replace(/-/g, '+').replace(/_/g, '/')).toLowerCase();
  } catch {
    return '';
  }
};

/** Whether a session's address is the webmail's user; a bare login name (no domain) matches the local part. */
export const isUser = (email: string, user: string): boolean => {
  const want = user.trim().toLowerCase();
  const have = email.toLowerCase();
  return want.includes('@') ? have === want : have.slice(0, have.lastIndexOf('@')) === want;
};

/**
 * The API client and the session: `undefined` while the existing session is checked, `null` when signed
 * out. A request answered 401 (idle or absolute timeout, sign-out elsewhere) signs out and sets `expired`.
 * With `user` (the webmail's signed-in user), a session of anyone else is never shown: it is signed out,
 * since it is what the browser's previous user left behind.
 */
export function useSession(api: string, ssoToken?: string, user?: string) {
  const [session, setSession] = useState<SessionResponse | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const client = useMemo(
    () =>
      createApiClient(api, () => {
        setSession(null);
        setExpired(true);
      }),
    [api],
  );

  useEffect(() => {
    let current = true;
    // With a webmail's token, sign in by it (it replaces any session: the webmail user may have changed).
    // If that fails, an existing session counts only if it is the token's user; else the password form.
    const signedIn = ssoToken
      ? client.sso(ssoToken).catch(async (err: Error) => {
          console.warn(`amavis-quarantine: single sign-on failed: ${err.message}`);
          const existing = await client.session();
          if (existing.user.email !== ssoEmail(ssoToken)) {
            await client.signOut().catch(() => undefined);
            throw err;
          }
          return existing;
        })
      : client.session().then(async (existing) => {
          if (!user || isUser(existing.user.email, user)) return existing;
          await client.signOut().catch(() => undefined);
          throw new Error("the session is another user's");
        });
    signedIn.then(
      (s) => current && setSession(s),
      () => current && setSession(null),
    );
    return () => {
      current = false;
    };
  }, [client, ssoToken, user]);

  const signedIn = useCallback((s: SessionResponse) => {
    setSession(s);
    setExpired(false);
  }, []);

  const signOut = useCallback(async () => {
    await client.signOut().catch(() => undefined);
    setSession(null);
    setExpired(false);
  }, [client]);

  return { client, session, expired, signedIn, signOut };
}
