import connectSessionSequelize from 'connect-session-sequelize';
import type { NextFunction, Request, RequestHandler } from 'express';
import session from 'express-session';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import type { AppModels } from '../db/app-models';
import { AppError } from '../errors';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in address and the addresses it receives mail for (resolved at sign-in). */
    user: { email: string; addresses: string[] };
    csrfToken: string;
    /** When the user signed in (ms): the absolute lifetime counts from here, whatever the activity. */
    signedInAt: number;
    /**
     * Set by the store when it loads a row whose idle deadline (`expires`, moved by every request) has
     * passed; never saved, because such a session is ended on that very request.
     */
    idleExpired?: true;
  }
}

const SequelizeStore = connectSessionSequelize(session.Store);

type SessionRow = { data: string | null; expires: Date | string | null };

/**
 * connect-session-sequelize, with a lookup that keeps "no such session" apart from "the database
 * failed". Only the former starts a new (signed-out) session; the latter fails the request (503 busy)
 * and leaves the row alone, so a database blip never signs anyone out. A row past its `expires` (the
 * idle deadline) that the sweep has not removed yet is loaded marked `idleExpired`, so that the session
 * middleware ends it and says why (401 session_expired), instead of the store's 15-minute sweep deciding.
 */
class SessionStore extends SequelizeStore {
  declare sessionModel: AppModels['Session'];

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.sessionModel.findOne({ where: { sid }, raw: true }).then(
      (row) => {
        const found = row as SessionRow | null;
        if (!found?.data) return callback(null, null);
        let data: session.SessionData;
        try {
          data = JSON.parse(found.data) as session.SessionData;
        } catch {
          // A row we cannot read is no session; the next sign-in replaces it.
          return callback(null, null);
        }
        // SQLite (the demo) returns a raw DATE as text, MariaDB as a Date.
        if (found.expires && new Date(found.expires).getTime() <= Date.now()) data.idleExpired = true;
        callback(null, data);
      },
      (err: unknown) => callback(err),
    );
  }
}

/** The session store in the app database, shared by every instance of the server. */
export function createSessionStore(sequelize: Sequelize, models: AppModels): session.Store {
  return new SessionStore({ db: sequelize, table: models.Session.name, checkExpirationInterval: 15 * 60_000 });
}

/**
 * express-session as STYLE.md says: no resave, no empty sessions, httpOnly, SameSite, and a rolling idle
 * timeout checked on every request (an idle session answers 401 session_expired and is destroyed).
 */
export function sessionMiddleware(config: Pick<Config, 'sessionSecrets' | 'cookie' | 'session'>, store: session.Store): RequestHandler {
  const load = session({
    name: 'aq_session',
    secret: [...config.sessionSecrets],
    store,
    resave: false,
    saveUninitialized: false,
    // Every request moves the idle deadline: AQ_SESSION_IDLE_MINUTES of inactivity ends the session.
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
      maxAge: config.session.idleMinutes * 60_000,
      path: '/',
    },
  });
  // The browser drops the cookie after the idle time, but a copied or replayed cookie would still work
  // until the store's sweep: the row's own deadline decides, on every request.
  return (req, res, next) => load(req, res, (err?: unknown) => (err ? next(err) : req.session?.idleExpired ? endSession(req, next) : next()));
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
