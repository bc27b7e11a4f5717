import connectSessionSequelize from 'connect-session-sequelize';
import session from 'express-session';
import type { AppModels } from '../db/app-models';
import { SessionCache, touchDue, type StoredSession } from './session-cache';

const SequelizeStore = connectSessionSequelize(session.Store);

type SessionRow = { data: string | null; expires: Date | string | null };
type Done = (err?: unknown) => void;

/**
 * connect-session-sequelize, with a lookup that keeps "no such session" apart from "the database
 * failed". Only the former starts a new (signed-out) session; the latter fails the request (503 busy)
 * and leaves the row alone, so a database blip never signs anyone out.
 */
export class SessionStore extends SequelizeStore {
  declare sessionModel: AppModels['Session'];

  /** The row of `sid`, or null when there is none; a database failure rejects, it is never "no session". */
  async read(sid: string): Promise<StoredSession | null> {
    const row = (await this.sessionModel.findOne({ where: { sid }, raw: true })) as SessionRow | null;
    if (!row?.data) return null;
    // SQLite (the demo) returns a raw DATE as text, MariaDB and PostgreSQL as a Date.
    return { json: row.data, deadline: row.expires ? new Date(row.expires).getTime() : null };
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.read(sid).then(
      (stored) => callback(null, stored && sessionFrom(stored, Date.now())),
      (err: unknown) => callback(err),
    );
  }
}

/**
 * The session of a stored row, or null when the row cannot be read (the next sign-in replaces it). A row
 * past its idle deadline that the store's sweep has not removed yet is marked `idleExpired`, so that the
 * session middleware ends it and says why (401 session_expired) instead of the 15-minute sweep deciding.
 */
export function sessionFrom(stored: StoredSession, now: number): session.SessionData | null {
  let data: session.SessionData;
  try {
    data = JSON.parse(stored.json) as session.SessionData;
  } catch {
    return null;
  }
  if (stored.deadline === null) return data;
  data.storedDeadline = stored.deadline;
  if (stored.deadline <= now) data.idleExpired = true;
  return data;
}

/** What the cached store needs of the database store (the tests give it a stand-in). */
export type SessionRows = Pick<SessionStore, 'read' | 'set' | 'destroy' | 'touch'>;

export interface CachedStoreOptions {
  /** AQ_SESSION_CACHE_MS: how long a row read is served from memory (0: every request reads it). */
  cacheMs: number;
  /** How far the stored idle deadline may lag before a request writes it (touchIntervalMs). */
  touchIntervalMs: number;
  /** The most rows the cache holds. */
  maxEntries?: number;
}

/**
 * The store as express-session sees it. Reads go through a short cache; a request moves the idle deadline
 * in the database only when the stored one lags by more than the touch interval (a minute), so a busy
 * user costs a SELECT per burst and an UPDATE a minute, not both on every click. Changes (sign-in, sign-out)
 * are written at once, and drop this process's cached copy.
 */
export class CachedSessionStore extends session.Store {
  private readonly cache: SessionCache;

  constructor(
    private readonly rows: SessionRows,
    private readonly options: CachedStoreOptions,
  ) {
    super();
    this.cache = new SessionCache({ ttlMs: options.cacheMs, maxEntries: options.maxEntries ?? 5_000 });
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.cache
      .read(sid, () => this.rows.read(sid))
      .then(
        // Parsed anew for every request: a request's changes never reach the copy the next one gets.
        (stored) => callback(null, stored && sessionFrom(stored, Date.now())),
        (err: unknown) => callback(err),
      );
  }

  /** The row of `sid` while the cache holds it fresh (the lean path of read-only requests, session-lean.ts). */
  peek(sid: string): StoredSession | undefined {
    return this.cache.peek(sid);
  }

  override set(sid: string, data: session.SessionData, callback?: Done): void {
    // What the store said on load is no part of the session.
    const { idleExpired: _idleExpired, storedDeadline: _storedDeadline, ...kept } = data;
    this.cache.forget(sid);
    this.rows.set(sid, kept, (err?: unknown) => {
      this.cache.forget(sid);
      callback?.(err);
    });
  }

  override destroy(sid: string, callback?: Done): void {
    this.cache.forget(sid);
    this.rows.destroy(sid, (err?: unknown) => {
      this.cache.forget(sid);
      callback?.(err);
    });
  }

  /** Called by express-session after every request that did not change the session. */
  override touch(sid: string, data: session.SessionData, callback?: Done): void {
    // Not loaded from the store in this request: it was created and saved by it (a sign-in), and that
    // save wrote this deadline already. express-session touches it anyway, after the answer has gone out,
    // and that late write could land after a newer one.
    if (data.storedDeadline === undefined) {
      callback?.();
      return;
    }
    const next = data.cookie.expires ? new Date(data.cookie.expires).getTime() : undefined;
    // The latest deadline we know of: the one loaded with this request, or a later one that a request
    // of this same burst has just written.
    const known = Math.max(data.storedDeadline ?? -Infinity, this.cache.deadlineOf(sid) ?? -Infinity);
    if (next !== undefined && !touchDue(Number.isFinite(known) ? known : undefined, next, this.options.touchIntervalMs)) {
      callback?.();
      return;
    }
    // Told before the write, so that the rest of a burst does not write the same minute again.
    if (next !== undefined) this.cache.moved(sid, next);
    this.rows.touch(sid, data, (err?: unknown) => {
      if (err) this.cache.forget(sid);
      else if (next !== undefined) this.cache.moved(sid, next);
      callback?.(err);
    });
  }
}
