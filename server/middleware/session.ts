import connectSessionSequelize from 'connect-session-sequelize';
import type { RequestHandler } from 'express';
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
  }
}

const SequelizeStore = connectSessionSequelize(session.Store);

type SessionRow = { data: string | null; expires: Date | string | null };

/**
 * connect-session-sequelize, with a lookup that keeps "no such session" apart from "the database
 * failed". Only the former starts a new (signed-out) session; the latter fails the request (503 busy)
 * and leaves the row alone, so a database blip never signs anyone out. A row past its `expires` that
 * the sweep has not removed yet is no session either.
 */
class SessionStore extends SequelizeStore {
  declare sessionModel: AppModels['Session'];

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.sessionModel.findOne({ where: { sid }, raw: true }).then(
      (row) => {
        const found = row as SessionRow | null;
        // SQLite (the demo) returns a raw DATE as text, MariaDB as a Date.
        if (!found?.data || (found.expires && new Date(found.expires).getTime() <= Date.now())) return callback(null, null);
        let data: session.SessionData;
        try {
          data = JSON.parse(found.data) as session.SessionData;
        } catch {
          // A row we cannot read is no session; the next sign-in replaces it.
          return callback(null, null);
        }
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

/** express-session as STYLE.md says: no resave, no empty sessions, httpOnly, SameSite, rolling idle timeout. */
export function sessionMiddleware(config: Pick<Config, 'sessionSecrets' | 'cookie' | 'session'>, store: session.Store): RequestHandler {
  return session({
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
}

/** Ends sessions older than AQ_SESSION_MAX_HOURS however active they were, in the store too. */
export function absoluteLifetime(maxHours: number): RequestHandler {
  return (req, _res, next) => {
    const started = req.session?.signedInAt;
    if (req.session?.user && (!started || Date.now() - started > maxHours * 3_600_000)) {
      req.session.destroy(() => next(new AppError(401, 'session_expired', 'your session has expired; sign in again')));
      return;
    }
    next();
  };
}
