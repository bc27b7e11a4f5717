import { z } from 'zod';
import { bool, list, positiveInt, type EnvOf } from './fields';
import type { Config } from './types';

/** Sign-in sessions: cookie secrets and attributes, lifetimes, login rate limits, and webmail SSO. */
export const sessionFields = {
  // A list, so that a secret can be rotated: the first signs new cookies, all of them verify old ones.
  AQ_SESSION_SECRET: z
    .string({ message: 'AQ_SESSION_SECRET is required (no default): at least 32 random characters' })
    .transform((v) => list(v))
    .refine((secrets) => secrets.length > 0 && secrets.every((s) => s.length >= 32), {
      message: 'AQ_SESSION_SECRET: every secret must be at least 32 characters (e.g. `openssl rand -hex 32`)',
    }),
  AQ_SSO_SECRET: z.string().min(32, 'AQ_SSO_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  AQ_SSO_MAX_AGE_SECONDS: positiveInt('AQ_SSO_MAX_AGE_SECONDS').optional(),
  AQ_COOKIE_SAMESITE: z.enum(['strict', 'lax', 'none'], 'AQ_COOKIE_SAMESITE must be strict, lax or none').optional(),
  AQ_COOKIE_SECURE: z.enum(['true', 'false', 'auto'], 'AQ_COOKIE_SECURE must be true, false or auto').optional(),
  AQ_COOKIE_PARTITIONED: bool('AQ_COOKIE_PARTITIONED', false),
  AQ_SESSION_IDLE_MINUTES: positiveInt('AQ_SESSION_IDLE_MINUTES').optional(),
  AQ_SESSION_MAX_HOURS: positiveInt('AQ_SESSION_MAX_HOURS').optional(),
  // Capped: another instance sees a sign-out up to this late.
  AQ_SESSION_CACHE_MS: z
    .string()
    .regex(/^\d+$/, 'AQ_SESSION_CACHE_MS must be a whole number of milliseconds (0 turns the cache off)')
    .transform(Number)
    .refine((ms) => ms <= 60_000, 'AQ_SESSION_CACHE_MS must be at most 60000 (a sign-out reaches the other instances this late)')
    .optional(),
  AQ_LOGIN_LIMIT_PER_IP: positiveInt('AQ_LOGIN_LIMIT_PER_IP').optional(),
  AQ_LOGIN_LIMIT_PER_ACCOUNT: positiveInt('AQ_LOGIN_LIMIT_PER_ACCOUNT').optional(),
};

type SessionEnv = EnvOf<typeof sessionFields>;

/** The checks across session settings, for the schema's superRefine. */
export function checkSessionSettings(env: Pick<SessionEnv, 'AQ_COOKIE_SAMESITE' | 'AQ_COOKIE_SECURE'>, ctx: z.RefinementCtx): void {
  // Browsers drop SameSite=None cookies that are not Secure: say so now, not as a silent logout.
  if (env.AQ_COOKIE_SAMESITE === 'none' && env.AQ_COOKIE_SECURE === 'false') {
    ctx.addIssue({ code: 'custom', path: ['AQ_COOKIE_SAMESITE'], message: 'AQ_COOKIE_SAMESITE=none needs AQ_COOKIE_SECURE=true (or auto behind TLS)' });
  }
}

/** The session part of the Config. */
export function sessionConfig(env: SessionEnv): Pick<Config, 'sessionSecrets' | 'sso' | 'cookie' | 'session' | 'loginLimits'> {
  return {
    sessionSecrets: env.AQ_SESSION_SECRET,
    sso: { secret: env.AQ_SSO_SECRET, maxAgeSeconds: env.AQ_SSO_MAX_AGE_SECONDS ?? 60 },
    cookie: {
      sameSite: env.AQ_COOKIE_SAMESITE ?? 'strict',
      secure: env.AQ_COOKIE_SECURE === undefined || env.AQ_COOKIE_SECURE === 'auto' ? 'auto' : env.AQ_COOKIE_SECURE === 'true',
      partitioned: env.AQ_COOKIE_PARTITIONED,
    },
    session: { idleMinutes: env.AQ_SESSION_IDLE_MINUTES ?? 30, maxHours: env.AQ_SESSION_MAX_HOURS ?? 12, cacheMs: env.AQ_SESSION_CACHE_MS ?? 3_000 },
    loginLimits: { perIpPerMinute: env.AQ_LOGIN_LIMIT_PER_IP ?? 10, perAccountPerHour: env.AQ_LOGIN_LIMIT_PER_ACCOUNT ?? 100 },
  };
}
