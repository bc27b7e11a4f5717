import type { MessageType } from './quarantine';

/** Whose statistics: the signed-in user's own mail, one domain (its admins, super users), or the whole site (super users). */
export type StatsScope = 'user' | 'domain' | 'site';

/** One day's counts (UTC day, `YYYY-MM-DD`): mail quarantined by type, and what was done with it. */
export interface StatsDay {
  day: string;
  quarantined: Partial<Record<MessageType, number>>;
  total: number;
  released: number;
  requested: number;
  deleted: number;
}

/** A sender or recipient with its count over the period (admins only). */
export interface StatsTop {
  address: string;
  count: number;
}

/**
 * GET /api/stats?scope=user|domain|site&days=N[&domain=example.org]: per-day counts for the last N days (oldest
 * first, every day present, zeros included), totals and rates over the period, and for admins top senders and
 * recipients.
 */
export interface StatsResponse {
  scope: StatsScope;
  domain?: string;
  days: StatsDay[];
  totals: { quarantined: number; released: number; requested: number; deleted: number };
  /** released / quarantined etc. over the period, 0..1; 0 when nothing was quarantined. */
  rates: { released: number; requested: number; deleted: number };
  topSenders?: StatsTop[];
  topRecipients?: StatsTop[];
  /**
   * What the top lists were counted over: the newest `copies` copies of the period still in the quarantine
   * (deleted ones are not), at most `limit`; below it, every one of them.
   */
  topBasis?: { copies: number; limit: number };
  /** ISO time up to which the rollup is complete. */
  upTo: string;
}
