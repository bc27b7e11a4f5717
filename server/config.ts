import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MESSAGE_TYPES, type MessageType } from '../shared/quarantine';

/** Where amavisd's AM.PDP policy bank listens. */
export type PdpEndpoint = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export type ImapTlsMode = 'tls' | 'starttls' | 'none';

export type ReleaseMode = 'direct' | 'request' | 'admin';

/** The default release policy: what a false positive usually is may go out at once; malware may not. */
export const DEFAULT_RELEASE_POLICY: Record<MessageType, ReleaseMode> = {
  spam: 'direct',
  spammy: 'direct',
  'bad-header': 'direct',
  'bad-mime': 'direct',
  oversized: 'direct',
  unchecked: 'request',
  banned: 'request',
  virus: 'admin',
};

/** Parses AQ_RELEASE_POLICY (`banned=direct,spam=request`) over the defaults. */
export function parseReleasePolicy(raw: string): Record<MessageType, ReleaseMode> | string {
  const policy = { ...DEFAULT_RELEASE_POLICY };
  for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [type, mode] = entry.split('=').map((p) => p.trim());
    if (!MESSAGE_TYPES.includes(type as MessageType) || !['direct', 'request', 'admin'].includes(mode ?? '')) {
      return `AQ_RELEASE_POLICY: "${entry}" must be <type>=direct|request|admin, with a type among ${MESSAGE_TYPES.join(', ')}`;
    }
    policy[type as MessageType] = mode as ReleaseMode;
  }
  return policy;
}

/** The whole configuration, parsed once at startup and frozen. */
export interface Config {
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  port: number;
  bind: string;
  dbUrl: string;
  appDbUrl: string;
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
  /** Where notification mails go out: smtp://, smtps:// or lmtp://host:port (none: no notifications). */
  mail: { url: string | undefined; from: string; publicUrl: string | undefined; batchDelayMs: number; caFile: string | undefined };
  /** Self-service links (mail_id + secret_id + recipient) for people who are not signed in. */
  selfService: boolean;
  /** Single sign-on from the webmail (the Roundcube plugin): the shared HMAC secret and a token's lifetime. */
  sso: { secret: string | undefined; maxAgeSeconds: number };
  /** How long the audit log keeps entries (the cleanup removes older ones). */
  auditRetentionDays: number;
  /** Per content type: release directly, only by request to an admin, or by admins only. */
  releasePolicy: Readonly<Record<MessageType, ReleaseMode>>;
  cookie: { sameSite: 'strict' | 'lax' | 'none'; secure: boolean | 'auto'; partitioned: boolean };
  session: { idleMinutes: number; maxHours: number };
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

const list = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const bool = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (/^(1|true|yes|on)$/i.test(v)) return true;
      if (/^(0|false|no|off)$/i.test(v)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, got "${v}"` });
      return z.NEVER;
    });

const port = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a port number`)
    .transform(Number)
    .refine((n) => n > 0 && n < 65536, `${name} must be between 1 and 65535`);

const email = z.string().regex(/^[^\s@,]+@[^\s@,]+$/, 'must be an e-mail address');
const domain = /^(?=.{1,253}$)[a-z0-9-]+(\.[a-z0-9-]+)+$/;

const positiveInt = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n > 0, `${name} must be above 0`);

/** Parses AQ_DOMAIN_ADMINS: `admin@x.org:x.org,y.org;other@z.org:z.org`. */
export function parseDomainAdmins(raw: string): Map<string, string[]> | string {
  const admins = new Map<string, string[]>();
  for (const entry of raw.split(';').map((e) => e.trim()).filter(Boolean)) {
    const [address, domains] = entry.split(':');
    const list = (domains ?? '').split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
    if (!address || !/^[^\s@,]+@[^\s@,]+$/.test(address.trim()) || list.length === 0 || !list.every((d) => domain.test(d))) {
      return `AQ_DOMAIN_ADMINS: "${entry}" must look like admin@example.org:example.org,example.net`;
    }
    admins.set(address.trim().toLowerCase(), list);
  }
  return admins;
}

/** Parses `tcp://host:port` or `unix:/path` (the two listeners amavisd's AM.PDP can have). */
export function parsePdpEndpoint(raw: string): PdpEndpoint | undefined {
  const unix = /^unix:(\/.+)$/.exec(raw);
  if (unix?.[1]) return { kind: 'unix', path: unix[1] };
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[^:/\s]+):(\d{1,5})\/?$/.exec(raw);
  if (tcp?.[1] && tcp[2]) {
    const portNumber = Number(tcp[2]);
    if (portNumber > 0 && portNumber < 65536) return { kind: 'tcp', host: tcp[1].replace(/^\[|\]$/g, ''), port: portNumber };
  }
  return undefined;
}

/**
 * Parses AQ_PDP: one endpoint, or, when several amavisd hosts share the database, a map from msgs.host
 * to endpoints with `*` for the rest: `mx1.example.org=tcp://10.0.0.1:9998,*=tcp://127.0.0.1:9998`.
 */
export function parsePdpSetting(raw: string): { fallback: PdpEndpoint; byHost: Map<string, PdpEndpoint> } | string {
  const single = parsePdpEndpoint(raw.trim());
  if (single) return { fallback: single, byHost: new Map() };
  if (!raw.includes('=')) return `AQ_PDP must be tcp://host:port or unix:/path, got "${raw}"`;
  const byHost = new Map<string, PdpEndpoint>();
  let fallback: PdpEndpoint | undefined;
  for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf('=');
    const host = entry.slice(0, at).trim().toLowerCase();
    const endpoint = parsePdpEndpoint(entry.slice(at + 1).trim());
    if (at <= 0 || !endpoint) return `AQ_PDP: "${entry}" must be <amavis host>=tcp://host:port or unix:/path`;
    if (host === '*') fallback = endpoint;
    else byHost.set(host, endpoint);
  }
  if (!fallback) return 'AQ_PDP: a host map needs a default entry, *=tcp://host:port';
  return { fallback, byHost };
}

/** Prints an endpoint the way the configuration spells it. */
export function formatPdpEndpoint(endpoint: PdpEndpoint): string {
  return endpoint.kind === 'unix' ? `unix:${endpoint.path}` : `tcp://${endpoint.host}:${endpoint.port}`;
}

const dbUrl = (name: string) =>
  z.string().refine((v) => /^(mysql|mariadb):\/\/[^/]+\/[^/?]+/.test(v) || /^sqlite:.+/.test(v), {
    message: `${name} must look like mysql://user:password@host:3306/amavis (or sqlite:<path> for the demo)`,
  });

const schema = z
  .object({
    AQ_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'AQ_LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent').optional(),
    AQ_PORT: port('AQ_PORT').optional(),
    AQ_BIND: z.string().min(1).optional(),
    AQ_DB_URL: dbUrl('AQ_DB_URL'),
    AQ_APP_DB_URL: dbUrl('AQ_APP_DB_URL').optional(),
    AQ_IMAP_HOST: z.string().min(1, 'AQ_IMAP_HOST is required, e.g. mail.example.org'),
    AQ_IMAP_PORT: port('AQ_IMAP_PORT').optional(),
    AQ_IMAP_TLS: z.enum(['tls', 'starttls', 'none'], 'AQ_IMAP_TLS must be tls, starttls or none').optional(),
    AQ_IMAP_TLS_VERIFY: bool('AQ_IMAP_TLS_VERIFY', true),
    AQ_IMAP_CA_FILE: z.string().min(1).optional(),
    AQ_PDP: z.string().transform((v, ctx) => {
      const parsed = parsePdpSetting(v);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),
    AQ_PDP_TIMEOUT_MS: z.string().regex(/^\d+$/).transform(Number).optional(),
    AQ_SUPER_USERS: z
      .string()
      .optional()
      .transform((v) => list(v).map((s) => s.toLowerCase()))
      .pipe(z.array(email)),
    // A list, so that a secret can be rotated: the first signs new cookies, all of them verify old ones.
    AQ_SESSION_SECRET: z
      .string({ message: 'AQ_SESSION_SECRET is required (no default): at least 32 random characters' })
      .transform((v) => list(v))
      .refine((secrets) => secrets.length > 0 && secrets.every((s) => s.length >= 32), {
        message: 'AQ_SESSION_SECRET: every secret must be at least 32 characters (e.g. `openssl rand -hex 32`)',
      }),
    AQ_DOMAIN_ADMINS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const parsed = parseDomainAdmins(v ?? '');
        if (typeof parsed === 'string') {
          ctx.addIssue({ code: 'custom', message: parsed });
          return z.NEVER;
        }
        return parsed;
      }),
    AQ_DEFAULT_DOMAIN: z.string().toLowerCase().regex(domain, 'AQ_DEFAULT_DOMAIN must be a domain like example.org').optional(),
    AQ_IMAP_MASTER_SEPARATOR: z.string().min(1).max(4).optional(),
    AQ_RECIPIENT_DELIMITER: z.string().regex(/^[+\-_.=]+$/, 'AQ_RECIPIENT_DELIMITER must be characters like + or -').optional(),
    AQ_ALIASES_FILE: z.string().min(1).optional(),
    AQ_ALIASES_SQL: z
      .string()
      .refine((q) => /^\s*select\b/i.test(q) && q.includes(':email'), 'AQ_ALIASES_SQL must be a SELECT with an :email placeholder')
      .optional(),
    AQ_ALIASES_DB_URL: dbUrl('AQ_ALIASES_DB_URL').optional(),
    AQ_SMTP_URL: z
      .string()
      .regex(/^(smtps?|lmtp):\/\/[^/\s]+$/, 'AQ_SMTP_URL must look like smtp://mail.example.org:25, smtps://…:465 or lmtp://127.0.0.1:24')
      .optional(),
    AQ_MAIL_FROM: email.optional(),
    AQ_SMTP_CA_FILE: z.string().min(1).optional(),
    AQ_PUBLIC_URL: z.string().regex(/^https?:\/\/\S+$/, 'AQ_PUBLIC_URL must be the http(s) address of the page that embeds the widget').optional(),
    AQ_NOTIFY_DELAY_MS: z.string().regex(/^\d+$/).transform(Number).optional(),
    AQ_SELF_SERVICE: bool('AQ_SELF_SERVICE', false),
    AQ_SSO_SECRET: z.string().min(32, 'AQ_SSO_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
    AQ_SSO_MAX_AGE_SECONDS: positiveInt('AQ_SSO_MAX_AGE_SECONDS').optional(),
    AQ_AUDIT_RETENTION_DAYS: positiveInt('AQ_AUDIT_RETENTION_DAYS').optional(),
    AQ_RETENTION_DAYS: positiveInt('AQ_RETENTION_DAYS').optional(),
    AQ_RELEASE_POLICY: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const parsed = parseReleasePolicy(v ?? '');
        if (typeof parsed === 'string') {
          ctx.addIssue({ code: 'custom', message: parsed });
          return z.NEVER;
        }
        return parsed;
      }),
    AQ_MAX_PARSE_BYTES: positiveInt('AQ_MAX_PARSE_BYTES').optional(),
    AQ_COOKIE_SAMESITE: z.enum(['strict', 'lax', 'none'], 'AQ_COOKIE_SAMESITE must be strict, lax or none').optional(),
    AQ_COOKIE_SECURE: z.enum(['true', 'false', 'auto'], 'AQ_COOKIE_SECURE must be true, false or auto').optional(),
    AQ_COOKIE_PARTITIONED: bool('AQ_COOKIE_PARTITIONED', false),
    AQ_SESSION_IDLE_MINUTES: positiveInt('AQ_SESSION_IDLE_MINUTES').optional(),
    AQ_SESSION_MAX_HOURS: positiveInt('AQ_SESSION_MAX_HOURS').optional(),
    AQ_LOGIN_LIMIT_PER_IP: positiveInt('AQ_LOGIN_LIMIT_PER_IP').optional(),
    AQ_LOGIN_LIMIT_PER_ACCOUNT: positiveInt('AQ_LOGIN_LIMIT_PER_ACCOUNT').optional(),
    AQ_ALLOWED_ORIGINS: z
      .string()
      .optional()
      .transform((v) => list(v))
      .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be an origin like https://mail.example.org'))),
    AQ_TRUST_PROXY: bool('AQ_TRUST_PROXY', false),
    AQ_WIDGET_FILE: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    // Browsers drop SameSite=None cookies that are not Secure: say so now, not as a silent logout.
    if (env.AQ_COOKIE_SAMESITE === 'none' && env.AQ_COOKIE_SECURE === 'false') {
      ctx.addIssue({ code: 'custom', path: ['AQ_COOKIE_SAMESITE'], message: 'AQ_COOKIE_SAMESITE=none needs AQ_COOKIE_SECURE=true (or auto behind TLS)' });
    }
  })
  .transform((env): Config => {
    const tls = env.AQ_IMAP_TLS ?? 'starttls';
    return {
      logLevel: env.AQ_LOG_LEVEL ?? 'info',
      port: env.AQ_PORT ?? 8080,
      bind: env.AQ_BIND ?? '127.0.0.1',
      dbUrl: env.AQ_DB_URL,
      appDbUrl: env.AQ_APP_DB_URL ?? env.AQ_DB_URL,
      imap: {
        host: env.AQ_IMAP_HOST,
        port: env.AQ_IMAP_PORT ?? (tls === 'tls' ? 993 : 143),
        tls,
        tlsVerify: env.AQ_IMAP_TLS_VERIFY,
        caFile: env.AQ_IMAP_CA_FILE,
      },
      pdp: env.AQ_PDP.fallback,
      pdpByHost: env.AQ_PDP.byHost,
      pdpTimeoutMs: env.AQ_PDP_TIMEOUT_MS ?? 10_000,
      superUsers: env.AQ_SUPER_USERS,
      domainAdmins: env.AQ_DOMAIN_ADMINS,
      defaultDomain: env.AQ_DEFAULT_DOMAIN,
      imapMasterSeparator: env.AQ_IMAP_MASTER_SEPARATOR ?? '*',
      recipientDelimiter: env.AQ_RECIPIENT_DELIMITER,
      aliases: { file: env.AQ_ALIASES_FILE, sql: env.AQ_ALIASES_SQL, dbUrl: env.AQ_ALIASES_DB_URL ?? env.AQ_DB_URL },
      retentionDays: env.AQ_RETENTION_DAYS ?? 14,
      releasePolicy: env.AQ_RELEASE_POLICY,
      selfService: env.AQ_SELF_SERVICE,
      sso: { secret: env.AQ_SSO_SECRET, maxAgeSeconds: env.AQ_SSO_MAX_AGE_SECONDS ?? 60 },
      auditRetentionDays: env.AQ_AUDIT_RETENTION_DAYS ?? 365,
      mail: {
        url: env.AQ_SMTP_URL,
        from: env.AQ_MAIL_FROM ?? `quarantine@${env.AQ_DEFAULT_DOMAIN ?? 'localhost'}`,
        publicUrl: env.AQ_PUBLIC_URL,
        batchDelayMs: env.AQ_NOTIFY_DELAY_MS ?? 60_000,
        caFile: env.AQ_SMTP_CA_FILE,
      },
      maxParseBytes: env.AQ_MAX_PARSE_BYTES ?? 25 * 1024 * 1024,
      cookie: {
        sameSite: env.AQ_COOKIE_SAMESITE ?? 'strict',
        secure: env.AQ_COOKIE_SECURE === undefined || env.AQ_COOKIE_SECURE === 'auto' ? 'auto' : env.AQ_COOKIE_SECURE === 'true',
        partitioned: env.AQ_COOKIE_PARTITIONED,
      },
      session: { idleMinutes: env.AQ_SESSION_IDLE_MINUTES ?? 30, maxHours: env.AQ_SESSION_MAX_HOURS ?? 12 },
      loginLimits: { perIpPerMinute: env.AQ_LOGIN_LIMIT_PER_IP ?? 10, perAccountPerHour: env.AQ_LOGIN_LIMIT_PER_ACCOUNT ?? 100 },
      sessionSecrets: env.AQ_SESSION_SECRET,
      allowedOrigins: env.AQ_ALLOWED_ORIGINS,
      trustProxy: env.AQ_TRUST_PROXY,
      widgetFile: env.AQ_WIDGET_FILE ?? 'dist/widget/amavis-quarantine.js',
    };
  });

/** With no AQ_DB_URL (and no AQ_CONFIG_FILE), `npm start` runs the demo instead of failing. */
export function wantsDemo(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.AQ_DB_URL && !env.AQ_CONFIG_FILE;
}

/** Reads `KEY=value` lines (the format of AQ_CONFIG_FILE); `#` starts a comment line. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m?.[1] || line.trimStart().startsWith('#')) continue;
    out[m[1]] = (m[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/**
 * Parses the configuration from `AQ_*` variables (and the optional `AQ_CONFIG_FILE`, which the
 * environment overrides). Throws a ConfigError that lists every problem at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaults: Record<string, string> = {}): Readonly<Config> {
  const problems: string[] = [];
  let fromFile: Record<string, string> = {};
  if (env.AQ_CONFIG_FILE) {
    try {
      fromFile = parseEnvFile(readFileSync(env.AQ_CONFIG_FILE, 'utf8'));
    } catch (err) {
      problems.push(`AQ_CONFIG_FILE: cannot read ${env.AQ_CONFIG_FILE}: ${(err as Error).message}`);
    }
  }
  // Precedence: the environment, then AQ_CONFIG_FILE, then defaults (the demo's settings).
  const merged: Record<string, string | undefined> = { ...defaults, ...fromFile };
  for (const [key, value] of Object.entries(env)) if (key.startsWith('AQ_') && value !== '') merged[key] = value;

  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      const missing = issue.code === 'invalid_type' && merged[key] === undefined;
      problems.push(missing ? `${key} is required${REQUIRED_HINTS[key] ? `: ${REQUIRED_HINTS[key]}` : ''}` : prefixed(key, issue.message));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (!parsed.success) throw new ConfigError(['unreachable']);
  return deepFreeze(parsed.data);
}

const REQUIRED_HINTS: Record<string, string> = {
  AQ_DB_URL: 'the amavis storage database, e.g. mysql://amavis:secret@127.0.0.1:3306/amavis',
  AQ_IMAP_HOST: 'the IMAP server that checks users\u2019 passwords, e.g. mail.example.org',
  AQ_PDP: 'amavisd\u2019s AM.PDP policy bank, e.g. tcp://127.0.0.1:9998 or unix:/var/lib/amavis/amavisd.sock',
  AQ_SESSION_SECRET: 'at least 32 random characters, e.g. from `openssl rand -hex 32`',
};

const prefixed = (key: string, message: string) => (message.startsWith(key) || !key ? message : `${key}: ${message}`);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
