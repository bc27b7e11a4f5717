/** Which of amavis's lists an entry is on: allow ('W', never treated as spam) or block ('B', always). */
export const SENDER_LISTS = ['allow', 'block'] as const;
export type SenderListName = (typeof SENDER_LISTS)[number];

/** What a key of amavis's lookup tables names. */
export type LookupKeyKind = 'address' | 'domain' | 'subdomains' | 'everyone';

/**
 * Whose entry it is: `me` (every address of the signed-in user), one address, a domain (every user of it),
 * or everyone (a super user's global entry).
 */
export interface SenderListOwner {
  kind: 'me' | LookupKeyKind;
  /** The key in amavis's `users` table; for `me`, the user's addresses joined by ", ". */
  key: string;
}

/** One entry of GET /api/sender-lists. */
export interface SenderListEntry {
  /** Opaque; DELETE /api/sender-lists/:id removes the entry. */
  id: string;
  /** As amavis stores it: name@example.com, @example.com (that domain), @.example.com (with subdomains). */
  sender: string;
  senderKind: LookupKeyKind;
  /** `other` is a soft score or a neutral entry written by another tool: shown, and removable. */
  list: SenderListName | 'other';
  /** amavis's own value (W, B, a score). */
  wb: string;
  for: SenderListOwner;
}

export interface SenderListResponse {
  items: SenderListEntry[];
  /** The list was cut at this many entries. */
  truncated: boolean;
}

/**
 * POST /api/sender-lists. `sender`: name@example.com, example.com, or *.example.com (subdomains too).
 * `for`: omitted or "me"; an address or "@domain" an admin manages; "everyone" (super users).
 */
export interface SenderListAddRequest {
  sender: string;
  list: SenderListName;
  for?: string;
}

/** The answer of POST /api/sender-lists and of allow-sender / block-sender. */
export interface SenderListChange {
  entry: SenderListEntry;
  /** What the entry was before for that owner and sender: null if there was none. */
  before: SenderListName | 'other' | null;
}

/** POST /api/messages/:id/allow-sender and block-sender. */
export interface SenderFromMessageRequest {
  /** The message's sender address (default), or its whole domain. */
  scope?: 'address' | 'domain';
  /** A domain admin or super user: "domain" makes it an entry of the recipient's domain. */
  for?: 'domain';
}

/** The answer of block-sender: the entry, and the other copies from that sender still in the quarantine. */
export interface BlockSenderResponse extends SenderListChange {
  others: { count: number; ids: string[]; more: boolean };
}
