import { randomBytes } from 'node:crypto';
import session from 'express-session';
import type { AppContext } from '../../server/context';
import { signedSessionId } from '../../server/middleware/session-lean';

/**
 * Signs `count` sessions in for `email` without a password, for the HTTP bench only: the bench data's
 * users have no IMAP accounts. Each is a row written through the server's own session store, holding
 * what sign-in stores (the identity from `auth.identify`, a CSRF token, the sign-in time), and is
 * returned as the Cookie header a browser would send (express-session's `s:` + cookie-signature).
 */
export async function benchSessionCookies(context: AppContext, email: string, count: number): Promise<string[]> {
  const user = await context.auth.identify(email);
  const secret = context.config.sessionSecrets[0];
  if (!secret) throw new Error('no session secret in the config');
  const idleMs = context.config.session.idleMinutes * 60_000;
  const cookies: string[] = [];
  for (let i = 0; i < count; i++) {
    const sid = randomBytes(24).toString('base64url');
    // Its defaults are express-session's (httpOnly, path /); maxAge sets the expiry the row's deadline is read from.
    const cookie = new session.Cookie();
    cookie.maxAge = idleMs;
    const data = {
      cookie,
      user: { email: user.email, addresses: user.addresses },
      csrfToken: randomBytes(32).toString('base64url'),
      signedInAt: Date.now(),
    } as session.SessionData;
    await new Promise<void>((resolve, reject) =>
      context.sessionStore.set(sid, data, (err?: unknown) =>
        err ? reject(err instanceof Error ? err : new Error('session store set failed', { cause: err })) : resolve(),
      ),
    );
    cookies.push(`aq_session=${encodeURIComponent(`s:${signedSessionId(sid, secret)}`)}`);
  }
  return cookies;
}
