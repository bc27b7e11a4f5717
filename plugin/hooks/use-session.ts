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

/**
 * The API client and the session: `undefined` while the existing session is checked, `null` when signed
 * out. A request answered 401 (idle or absolute timeout, sign-out elsewhere) signs out and sets `expired`.
 */
export function useSession(api: string, ssoToken?: string) {
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
          if (existing.user.email !== ssoEmail(ssoToken)) throw err;
          return existing;
        })
      : client.session();
    signedIn.then(
      (s) => current && setSession(s),
      () => current && setSession(null),
    );
    return () => {
      current = false;
    };
  }, [client, ssoToken]);

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
