import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionUser } from '../../shared/session';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { AuthService } from './auth';
import type { UsedTokenLog } from '../db/used-tokens';

/*
 * Single sign-on from the webmail (plugin/roundcube/amavis_quarantine). The webmail has already checked
 * the user's password; it signs a short-lived token under the secret it shares with us (AQ_SSO_SECRET):
 *
 *   base64url(email) "." expiry "." nonce "." hex(HMAC-SHA256(secret, email "\n" expiry "\n" nonce))
 *
 * expiry is in Unix seconds; the nonce (16–64 base64url characters) makes two tokens for one user in
 * one second differ, so the replay check below never refuses a second tab.
 */

/** How far apart the webmail's clock and ours may be. */
export const SSO_CLOCK_SKEW_SECONDS = 5;

const TOKEN = /^([A-Za-z0-9_-]{1,700})\.(\d{1,12})\.([A-Za-z0-9_-]{16,64})\.([0-9a-f]{64})$/;

/** The HMAC of a token, in hex, exactly as the PHP plugin computes it with hash_hmac(). */
export function ssoMac(secret: string, email: string, expiry: string, nonce: string): string {
  return createHmac('sha256', secret).update(`${email}\n${expiry}\n${nonce}`).digest('hex');
}

/** Signs a token, as the webmail does (for tests and for other webmails' integrations). */
export function signSsoToken(secret: string, email: string, expiresAt: number, nonce = randomBytes(16).toString('base64url')): string {
  const expiry = String(expiresAt);
  return `${Buffer.from(email).toString('base64url')}.${expiry}.${nonce}.${ssoMac(secret, email, expiry, nonce)}`;
}

/** What a valid token says: who, until when, and its HMAC (the key of the replay check). */
export interface SsoClaims {
  email: string;
  expiresAt: number;
  mac: string;
}

const invalid = (message: string) => new AppError(401, 'sso_invalid', message);

/** Checks a token's form, then its signature, then its time window (`now` in Unix seconds). Pure. */
export function verifySsoToken(token: string, secret: string, maxAgeSeconds: number, now: number): SsoClaims {
  const parts = TOKEN.exec(token);
  if (!parts) throw invalid('the single sign-on token is malformed');
  const [, encodedEmail = '', expiry = '', nonce = '', mac = ''] = parts;
  const email = Buffer.from(encodedEmail, 'base64url').toString('utf8');
  // Constant time, so the answer's timing tells a forger nothing about the right HMAC.
  if (!timingSafeEqual(Buffer.from(ssoMac(secret, email, expiry, nonce), 'hex'), Buffer.from(mac, 'hex'))) {
    throw invalid('the single sign-on token is not signed with this server’s AQ_SSO_SECRET');
  }
  // Only a token with a valid signature learns more than "invalid".
  const expiresAt = Number(expiry);
  if (expiresAt + SSO_CLOCK_SKEW_SECONDS <= now) throw new AppError(401, 'sso_expired', 'the single sign-on token has expired; reload the page');
  if (expiresAt > now + maxAgeSeconds + SSO_CLOCK_SKEW_SECONDS) {
    throw invalid(`the single sign-on token is valid for longer than AQ_SSO_MAX_AGE_SECONDS (${maxAgeSeconds} s): check the webmail's token lifetime and clock`);
  }
  return { email, expiresAt, mac };
}

/** Exchanges a webmail's single sign-on token for the identity of its user. */
export interface SsoService {
  signIn(token: string): Promise<SessionUser>;
}

/** Creates the SSO service. Each token works once: its HMAC is claimed in the used-token log until it expires. */
export function createSsoService(deps: { config: Config['sso']; auth: Pick<AuthService, 'identify'>; usedTokens: UsedTokenLog; now?: () => number }): SsoService {
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    async signIn(token) {
      const { secret, maxAgeSeconds } = deps.config;
      if (!secret) throw new AppError(404, 'sso_disabled', 'single sign-on is not enabled on this server (AQ_SSO_SECRET is not set)');
      const claims = verifySsoToken(token, secret, maxAgeSeconds, now());
      if (!(await deps.usedTokens.claim(claims.mac, new Date((claims.expiresAt + SSO_CLOCK_SKEW_SECONDS) * 1000)))) {
        throw new AppError(401, 'sso_replayed', 'this single sign-on token was already used; reload the page');
      }
      return deps.auth.identify(claims.email);
    },
  };
}
