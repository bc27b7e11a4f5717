/** What a signed-in user is allowed to see: their own mail, their domains', or everyone's. */
export type Role = 'user' | 'domain_admin' | 'super';

export interface SessionUser {
  email: string;
  role: Role;
  /** The addresses whose quarantined mail this user sees as a recipient. */
  addresses: string[];
  /** The domains a domain admin sees (empty for others). */
  domains: string[];
}

/** What the session user may do beyond acting on messages: the widget shows these screens only when true. */
export interface UserCapabilities {
  /** See and decide release requests (admins of the recipients' domains). */
  decideRequests: boolean;
  /** Read the audit log (super users). */
  readAudit: boolean;
  /** The list covers other people's mail, so it shows each item's recipient. */
  seesOthersMail: boolean;
  /** Allow and block senders (amavis's wblist), from a message and on the sender-list screen. */
  senderLists?: boolean;
  /** "Spam" and "Not spam": SpamAssassin learning is configured (AQ_SPAMD). */
  learn?: boolean;
  /** Digests of newly quarantined mail are sent here (AQ_SMTP_URL): the widget shows their frequency setting. */
  digest?: boolean;
}

/** The body of POST /api/session and GET /api/session. */
export interface SessionResponse {
  user: SessionUser;
  capabilities: UserCapabilities;
  /** Send it back as X-CSRF-Token on every state-changing request. */
  csrfToken: string;
}

export interface SignInRequest {
  username: string;
  password: string;
}
