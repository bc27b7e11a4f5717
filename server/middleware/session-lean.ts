import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type session from 'express-session';
import { touchDue, type StoredSession } from './session-cache';

/** What the lean path needs of the cached store: its fresh rows, without a read, and its touch. */
export interface FreshSessions {
  /** The row of `sid` while this process's cache holds it fresh, else undefined (never a database read). */
  peek(sid: string): StoredSession | undefined;
  /** Moves the row's idle deadline to `data.cookie.expires` when it lags (CachedSessionStore.touch). */
  touch(sid: string, data: session.SessionData, callback: (err?: unknown) => void): void;
}

export interface LeanSessionOptions {
  name: string;
  secrets: readonly string[];
  touchIntervalMs: number;
  maxHours: number;
  store: FreshSessions;
}

/** An id signed as express-session signs its cookie (cookie-signature's sign): `<sid>.<HMAC-SHA256, base64 without padding>`. */
export function signedSessionId(sid: string, secret: string): string {
  return `${sid}.${createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '')}`;
}

/** The most cookies whose signature is remembered, and the most parsed rows; past it they are forgotten at once. */
const MEMO_MAX = 10_000;

/**
 * The read-only requests of a signed-in session, answered without express-session when nothing but reading
 * is due: a GET or HEAD whose cookie is a single validly signed `aq_session`, whose row this process holds
 * fresh (AQ_SESSION_CACHE_MS), not idle-expired, past neither lifetime, and whose idle deadline need not be
 * written yet. Such a request gets the row's data as a frozen req.session and the rolling cookie
 * express-session would set (session-lean.test.ts compares them; its expiry counts from the request's
 * arrival, not from its answer), and the deadline is still written after the answer if the request took
 * long enough to make it due. The signature of a cookie and the parse of a row are computed once, not
 * twice a request with two hashes of the session as express-session does. Any other request, or any
 * doubt, returns false: express-session handles it as before.
 */
export function leanSessionReads(options: LeanSessionOptions): (req: Request, res: Response) => boolean {
  const verified = new Map<string, { sid: string; value: string }>();
  const parsed = new WeakMap<StoredSession, Readonly<session.SessionData>>();
  const prefix = `${options.name}=`;

  /** cookie-signature's unsign over every secret (the first signs, all verify), remembered per cookie value. */
  function verify(raw: string): { sid: string; value: string } | undefined {
    const known = verified.get(raw);
    if (known) return known;
    if (!raw.startsWith('s:')) return undefined;
    const signed = raw.slice(2);
    const sid = signed.slice(0, signed.lastIndexOf('.'));
    const given = Buffer.from(signed);
    for (const secret of options.secrets) {
      const expected = Buffer.from(signedSessionId(sid, secret));
      if (expected.length === given.length && timingSafeEqual(expected, given)) {
        if (verified.size >= MEMO_MAX) verified.clear();
        // The value express-session would set: signed with the first secret, URI-encoded by the cookie module.
        const entry = { sid, value: encodeURIComponent(`s:${signedSessionId(sid, options.secrets[0] ?? secret)}`) };
        verified.set(raw, entry);
        return entry;
      }
    }
    return undefined;
  }

  /**
   * The one `aq_session` value of a Cookie header, decoded as the cookie module does; undefined when it is
   * absent, named twice (or inside another name), quoted or undecodable: express-session then reads it.
   */
  function cookieValue(header: string | undefined): string | undefined {
    if (!header) return undefined;
    const at = header.indexOf(prefix);
    if (at < 0 || at !== header.lastIndexOf(prefix)) return undefined;
    // A whole name: at the start, or after a semicolon and blanks.
    let before = at - 1;
    while (before >= 0 && (header[before] === ' ' || header[before] === '\t')) before--;
    if (before >= 0 && header[before] !== ';') return undefined;
    const end = header.indexOf(';', at);
    const value = header.slice(at + prefix.length, end < 0 ? undefined : end).trim();
    if (value.startsWith('"')) return undefined;
    if (!value.includes('%')) return value;
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }

  function dataOf(stored: StoredSession): Readonly<session.SessionData> | undefined {
    let data = parsed.get(stored);
    if (!data) {
      try {
        data = deepFreeze(JSON.parse(stored.json) as session.SessionData);
      } catch {
        return undefined;
      }
      parsed.set(stored, data);
    }
    return data;
  }

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const raw = cookieValue(req.headers.cookie);
    const signed = raw === undefined ? undefined : verify(raw);
    if (!signed) return false;
    const stored = options.store.peek(signed.sid);
    if (!stored || stored.deadline === null) return false;
    const data = dataOf(stored);
    const now = Date.now();
    // A minute short of the absolute lifetime, express-session takes over: absoluteLifetime (session.ts),
    // which reads the clock again, must never have to end a session this path loaded.
    if (!data?.user || !data.signedInAt || now - data.signedInAt > options.maxHours * 3_600_000 - 60_000) return false;
    // express-session sets the cookie its row holds (as sign-in stored it), with a new expiry.
    const attributes = cookieAttributes(data.cookie as StoredCookie, now, req.secure);
    if (!attributes) return false;
    // Idle-expired, or a deadline to write: express-session ends it, or touches it, as before.
    if (stored.deadline <= now || touchDue(stored.deadline, attributes.expires, options.touchIntervalMs)) return false;
    req.sessionID = signed.sid;
    req.session = data as Request['session'];
    res.setHeader('Set-Cookie', `${options.name}=${signed.value}${attributes.text}`);
    // express-session decides on the touch once the answer is out: a long request may have made it due.
    const { sid } = signed;
    const { deadline } = stored;
    const maxAge = (data.cookie as StoredCookie).originalMaxAge as number;
    res.once('finish', () => {
      const expires = Date.now() + maxAge;
      if (!touchDue(deadline, expires, options.touchIntervalMs)) return;
      const touched = { ...data, cookie: { ...data.cookie, expires: new Date(expires) }, storedDeadline: deadline } as session.SessionData;
      options.store.touch(sid, touched, () => undefined);
    });
    return true;
  };
}

/** The cookie as express-session stores it in the row (session/cookie.js's JSON). */
interface StoredCookie {
  originalMaxAge?: number | null;
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: boolean | string;
  partitioned?: boolean;
  domain?: string;
  priority?: string;
}

const SAME_SITE: Record<string, string> = { true: 'Strict', strict: 'Strict', lax: 'Lax', none: 'None' };

/**
 * The attributes the cookie module writes for this stored cookie, in its order, with the expiry moved to
 * now + its max age, as express-session's touch does; undefined for anything it would do otherwise (no
 * max age, a domain or priority we never set, a Secure cookie on a plain-HTTP request: it then sets none).
 */
function cookieAttributes(cookie: StoredCookie | undefined, now: number, secureRequest: boolean): { text: string; expires: number } | undefined {
  if (!cookie || typeof cookie.originalMaxAge !== 'number' || cookie.domain || cookie.priority) return undefined;
  if (cookie.secure && !secureRequest) return undefined;
  const sameSite = cookie.sameSite === undefined || cookie.sameSite === false ? '' : SAME_SITE[String(cookie.sameSite).toLowerCase()];
  // A stored cookie without a path gets express-session's default one.
  const path = cookie.path ?? '/';
  if (sameSite === undefined || (path && !/^[\x21-\x3a\x3c-\x7e]+$/.test(path))) return undefined;
  const expires = now + cookie.originalMaxAge;
  const text =
    (path ? `; Path=${path}` : '') +
    `; Expires=${new Date(expires).toUTCString()}` +
    (cookie.httpOnly ? '; HttpOnly' : '') +
    (cookie.secure ? '; Secure' : '') +
    (cookie.partitioned ? '; Partitioned' : '') +
    (sameSite ? `; SameSite=${sameSite}` : '');
  return { text, expires };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
