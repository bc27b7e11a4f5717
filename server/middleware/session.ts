import type { NextFunction, Request, RequestHandler } from 'express';
import session from 'express-session';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import type { AppModels } from '../db/app-models';
import { AppError } from '../errors';
import { touchIntervalMs } from './session-cache';
import { leanSessionReads } from './session-lean';
import { CachedSessionStore, SessionStore } from './session-store';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in address and the addresses it receives mail for (resolved at sign-in). */
    user: { email: string; addresses: string[] };
    csrfToken: string;
    /** When the user signed in (ms): the absolute lifetime counts from here, whatever the activity. */
    signedInAt: number;
    /**
     * Set by the store when it loads a row whose idle deadline (`expires`) has passed; never saved,
     * because such a session is ended on that very request.
     */
    idleExpired?: true;
    /** Set by the store on load: the idle deadline its row holds (ms), which a request moves only once it lags; never saved. */
    storedDeadline?: number;
  }
}

/** The session store in the app database, shared by every instance of the server. */
export function createSessionStore(sequelize: Sequelize, models: AppModels): session.Store {
  return new SessionStore({ db: sequelize, table: models.Session.name, checkExpirationInterval: 15 * 60_000 });
}

/**
 * express-session as STYLE.md says: no resave, no empty sessions, httpOnly, SameSite, and a rolling idle
 * timeout checked on every request (an idle session answers 401 session_expired and is destroyed). Our
 * store is read through a short cache (AQ_SESSION_CACHE_MS) and its deadline written at most once per
 * touch interval (see CachedSessionStore); another store is used as it is.
 */
export function sessionMiddleware(config: Pick<Config, 'sessionSecrets' | 'cookie' | 'session'>, store: session.Store): RequestHandler {
  const idleMs = config.session.idleMinutes * 60_000;
  const interval = touchIntervalMs(idleMs);
  const served = store instanceof SessionStore ? new CachedSessionStore(store, { cacheMs: config.session.cacheMs, touchIntervalMs: interval }) : store;
  const lean =
    served instanceof CachedSessionStore
      ? leanSessionReads({
          name: 'aq_session',
          secrets: config.sessionSecrets,
          touchIntervalMs: interval,
          maxHours: config.session.maxHours,
          store: served,
        })
      : undefined;
  const load = session({
    name: 'aq_session',
    secret: [...config.sessionSecrets],
    store: served,
    resave: false,
    saveUninitialized: false,
    // Every answer re-sends the cookie with a new expiry; the row's deadline, which is what counts, follows
    // once it lags by more than the touch interval: AQ_SESSION_IDLE_MINUTES of inactivity ends the session,
    // up to that interval (a minute at most) sooner, never later.
    rolling: true,
    // Not 'destroy': when the store's lookup fails, req.session stays unset, and with 'destroy'
    // express-session deletes the row at the end of that very request, signing the user out over a
    // database blip. Sign-out and the lifetime limit destroy sessions explicitly.
    unset: 'keep',
    cookie: {
      httpOnly: true,
      sameSite: config.cookie.sameSite,
      secure: config.cookie.secure,
      partitioned: config.cookie.partitioned,
      maxAge: idleMs,
      path: '/',
    },
  });
  // The browser drops the cookie after the idle time, but a copied or replayed cookie would still work
  // until the store's sweep: the row's own deadline decides, on every request (from the cache, at most
  // AQ_SESSION_CACHE_MS old, or from the row).
  // A read-only request of a fresh, cached session skips express-session (session-lean.ts); the rest go through it.
  return (req, res, next) => {
    if (lean?.(req, res)) return next();
    load(req, res, (err?: unknown) => (err ? next(err) : req.session?.idleExpired ? endSession(req, next) : next()));
  };
}

// Sign-in and single sign-on replace whatever session the browser has; the API router sees these paths.
const SIGN_IN_PATHS = new Set(['/session', '/session/sso']);

/**
 * Ends an expired session. A sign-in carries on with a fresh (empty) session, so an old cookie never
 * blocks signing in again; any other request answers 401 session_expired.
 */
function endSession(req: Request, next: NextFunction): void {
  if (req.method === 'POST' && SIGN_IN_PATHS.has(req.path)) {
    req.session.regenerate((err: unknown) => next(err));
    return;
  }
  req.session.destroy((err: unknown) => next(err ?? new AppError(401, 'session_expired', 'your session has expired; sign in again')));
}

/** Ends sessions older than AQ_SESSION_MAX_HOURS however active they were, in the store too. */
export function absoluteLifetime(maxHours: number): RequestHandler {
  return (req, _res, next) => {
    const started = req.session?.signedInAt;
    if (req.session?.user && (!started || Date.now() - started > maxHours * 3_600_000)) return endSession(req, next);
    next();
  };
}
