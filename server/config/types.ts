import type { ReleaseMode } from '../../shared/actions';
import type { MessageType } from '../../shared/quarantine';
import type { ViewPoolSettings } from '../view/view-limits';

/** Where amavisd's AM.PDP policy bank listens. */
export type PdpEndpoint = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export type ImapTlsMode = 'tls' | 'starttls' | 'none';

/** The whole configuration, parsed once at startup and frozen. */
export interface Config {
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  port: number;
  bind: string;
  dbUrl: string;
  appDbUrl: string;
  /** amavis's lookup tables (users, mailaddr, wblist, policy): its @lookup_sql_dsn. */
  lookupDbUrl: string;
  imap: { host: string; port: number; tls: ImapTlsMode; tlsVerify: boolean; caFile: string | undefined };
  /** The AM.PDP endpoint for mail stored by an amavis host without an entry of its own in pdpByHost. */
  pdp: PdpEndpoint;
  /** msgs.host -> endpoint, when several amavisd hosts share one database. */
  pdpByHost: ReadonlyMap<string, PdpEndpoint>;
  pdpTimeoutMs: number;
  superUsers: readonly string[];
  /** Domain admins: address -> the domains they administer. */
  domainAdmins: ReadonlyMap<string, readonly string[]>;
  defaultDomain: string | undefined;
  /** The IMAP master-user separator (Dovecot's auth_master_user_separator): refused in usernames. */
  imapMasterSeparator: string;
  recipientDelimiter: string | undefined;
  aliases: { file: string | undefined; sql: string | undefined; dbUrl: string };
  retentionDays: number;
  maxParseBytes: number;
  /** The message view's worker pool (AQ_VIEW_*). */
  view: ViewPoolSettings;
  /** Where notification mails go out: smtp://, smtps:// or lmtp://host:port (none: no notifications). */
  mail: { url: string | undefined; from: string; publicUrl: string | undefined; batchDelayMs: number; caFile: string | undefined; tlsVerify: boolean };
  /** Self-service links (mail_id + secret_id + recipient) for people who are not signed in. */
  selfService: boolean;
  /** Single sign-on from the webmail (the Roundcube plugin): the shared HMAC secret and a token's lifetime. */
  sso: { secret: string | undefined; maxAgeSeconds: number };
  /** How long the audit log keeps entries (the cleanup removes older ones). */
  auditRetentionDays: number;
  /** Per content type: release directly, only by request to an admin, or by admins only. */
  releasePolicy: Readonly<Record<MessageType, ReleaseMode>>;
  cookie: { sameSite: 'strict' | 'lax' | 'none'; secure: boolean | 'auto'; partitioned: boolean };
  /** Idle and absolute lifetimes, and how long an instance serves a session row from memory (0: never). */
  session: { idleMinutes: number; maxHours: number; cacheMs: number };
  loginLimits: { perIpPerMinute: number; perAccountPerHour: number };
  sessionSecrets: readonly string[];
  allowedOrigins: readonly string[];
  trustProxy: boolean;
  widgetFile: string;
}

/** A configuration that cannot start the server; `problems` lists every one of them at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`amavis-quarantine: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
