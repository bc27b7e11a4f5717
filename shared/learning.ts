import type { ReleaseOutcome } from './release';

/** What a message is learned as by SpamAssassin's Bayes filter. */
export type LearnAs = 'spam' | 'ham';

/**
 * The answer of POST /api/messages/:id/learn `{ "as": "spam" | "ham" }` (200 whatever SpamAssassin said):
 * `learned`, `already` (learned as that class before: nothing changed), or `failed`, with spamd's words.
 */
export interface LearnResult {
  as: LearnAs;
  outcome: 'learned' | 'already' | 'failed';
  detail: string;
}

/** One step of "Not spam": each is reported, whether it worked, failed or was not attempted (and why). */
export interface NotSpamStep {
  step: 'release' | 'learn' | 'allow';
  status: 'done' | 'failed' | 'skipped';
  detail: string;
}

/**
 * The answer of POST /api/messages/:id/not-spam: release to the user's INBOX, learn as ham, allow the
 * sender, in that order. 200 when every step is done; 207 when some are not (`steps` says which).
 */
export interface NotSpamResponse {
  steps: NotSpamStep[];
  release?: ReleaseOutcome;
}
