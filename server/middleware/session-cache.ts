/** A session row as the store holds it: the data as stored (JSON) and its idle deadline (`expires`, ms; null: none). */
export interface StoredSession {
  readonly json: string;
  readonly deadline: number | null;
}

export interface SessionCacheOptions {
  /** How long a row read from the store is served from memory; 0 turns the cache off. */
  ttlMs: number;
  /** The most rows kept at once; past it the oldest go first, so many sessions never grow the process. */
  maxEntries: number;
  /** A monotonic clock in ms (the tests pass their own). */
  now?: () => number;
}

interface Entry {
  stored: StoredSession;
  freshUntil: number;
}

/** One read of a row on its way from the store, shared by the requests that ask for it meanwhile. */
interface Flight {
  promise: Promise<StoredSession | null>;
  /** A write of ours came after the read was sent: what it returns may be older than that write. */
  superseded: boolean;
}

/**
 * Session rows kept in memory for a short time, so that a burst of requests (the widget loads the list,
 * the counts and the session at once) costs one SELECT. What this process writes or destroys leaves the
 * cache at once, and a read that was under way during such a write is not kept: only rows read after
 * our last write are served. Other instances' writes are seen once the entry is older than `ttlMs`.
 */
export class SessionCache {
  // A Map iterates in insertion order, and every entry lives ttlMs from its insertion: the first entry
  // is always the oldest, so pruning looks at the front only.
  private readonly entries = new Map<string, Entry>();
  private readonly flights = new Map<string, Flight>();
  private readonly now: () => number;

  constructor(private readonly options: SessionCacheOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** The number of rows held (for the tests: it never passes maxEntries). */
  get size(): number {
    return this.entries.size;
  }

  /** The row of `sid`: from memory while fresh, else from `load`, which concurrent callers share. */
  read(sid: string, load: () => Promise<StoredSession | null>): Promise<StoredSession | null> {
    if (this.options.ttlMs <= 0) return load();
    const entry = this.fresh(sid);
    if (entry) return Promise.resolve(entry.stored);
    const running = this.flights.get(sid);
    if (running) return running.promise;
    const flight: Flight = { promise: Promise.resolve(null), superseded: false };
    this.flights.set(sid, flight);
    flight.promise = this.land(sid, flight, load);
    return flight.promise;
  }

  /** The fresh row of `sid`, if this cache holds one; never a read. */
  peek(sid: string): StoredSession | undefined {
    return this.options.ttlMs > 0 ? this.fresh(sid)?.stored : undefined;
  }

  /** The idle deadline of the fresh entry of `sid`, if there is one. */
  deadlineOf(sid: string): number | undefined {
    return this.fresh(sid)?.stored.deadline ?? undefined;
  }

  /** `sid` was written or destroyed by this process: drop its entry, and keep no read that overlapped. */
  forget(sid: string): void {
    this.entries.delete(sid);
    this.supersede(sid);
  }

  /** This process moved the idle deadline of `sid`: its entry carries the new one, and no older read is kept. */
  moved(sid: string, deadline: number): void {
    const entry = this.fresh(sid);
    if (entry) entry.stored = { ...entry.stored, deadline };
    this.supersede(sid);
  }

  private async land(sid: string, flight: Flight, load: () => Promise<StoredSession | null>): Promise<StoredSession | null> {
    try {
      const stored = await load();
      // A missing row is not kept: a sign-in on another instance may create it any moment.
      if (stored && !flight.superseded) this.keep(sid, stored);
      return stored;
    } finally {
      if (this.flights.get(sid) === flight) this.flights.delete(sid);
    }
  }

  private supersede(sid: string): void {
    const flight = this.flights.get(sid);
    if (!flight) return;
    flight.superseded = true;
    // Requests from now on send a read of their own instead of waiting for this older one.
    this.flights.delete(sid);
  }

  private keep(sid: string, stored: StoredSession): void {
    const now = this.now();
    this.entries.delete(sid);
    this.entries.set(sid, { stored, freshUntil: now + this.options.ttlMs });
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && entry.freshUntil > now) break;
      this.entries.delete(oldest);
    }
  }

  private fresh(sid: string): Entry | undefined {
    const entry = this.entries.get(sid);
    if (!entry) return undefined;
    if (entry.freshUntil > this.now()) return entry;
    this.entries.delete(sid);
    return undefined;
  }
}

/**
 * How far the stored idle deadline may lag behind the last request before a request writes it again: a
 * minute, or a tenth of the idle limit when that is shorter (AQ_SESSION_IDLE_MINUTES=1 still works).
 * A session therefore ends between `idle - interval` and `idle` after its last request, never later.
 */
export function touchIntervalMs(idleMs: number): number {
  return Math.min(60_000, Math.floor(idleMs / 10));
}

/** Whether moving the deadline from `stored` (unknown: undefined) to `next` must be written now. */
export function touchDue(stored: number | undefined, next: number, intervalMs: number): boolean {
  return stored === undefined || next - stored > intervalMs;
}
