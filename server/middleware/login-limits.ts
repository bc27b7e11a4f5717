import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { AppError } from '../errors';
import type { RateLimitStoreFactory } from '../db/rate-limit-store';

/** How many failed sign-ins are allowed, and over which windows. */
export interface LoginLimitSettings {
  /** From one client address (an IPv6 /56 counts as one), per minute, whatever the accounts. */
  perIpPerMinute: number;
  /** For one account from one client address, per 15 minutes. */
  perAccountAddress: number;
  /** For one account from every address together, per hour: the ceiling against distributed guessing. */
  perAccountPerHour: number;
  /** Appended to a bare username, so `alice` and `alice@domain` count as one account. */
  defaultDomain?: string | undefined;
}

declare global {
  namespace Express {
    interface Request {
      /** The account+address limiter's count for this request (read by the per-account ceiling). */
      accountAddressLimit?: RateLimitInfo;
    }
  }
}

const tooMany = (retryAfterSeconds: number) =>
  new AppError(429, 'too_many_attempts', `too many sign-in attempts; try again in ${Math.max(1, Math.ceil(retryAfterSeconds / 60))} minute(s)`);

/**
 * Sign-in throttling: per client address, per account from one address, and a ceiling per account.
 * Only failed attempts count. The counters live in `stores` (the app database: every instance counts
 * together); without it, in memory.
 *
 * A stranger must not lock the owner out, so the account's own limit is keyed by account AND address.
 * The ceiling over all addresses stops a botnet guessing one password; once it is reached, an address
 * that has no failure for this account in its window still gets through (the owner at home, first try),
 * and every other address waits. Returns the handlers in order; the first is the per-address one.
 */
export function loginLimits(options: LoginLimitSettings, stores?: RateLimitStoreFactory): RequestHandler[] {
  const refuse: RequestHandler = (_req, res, next) => next(tooMany(Number(res.getHeader('Retry-After') ?? 60)));
  const common = (name: string) => ({
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    // A failure is a refused password or token (401), or an attempt made while refused (429). A malformed
    // request (400) guesses nothing, and an unreachable IMAP server (503) is not the user's failure.
    requestWasSuccessful: (_req: unknown, res: { statusCode: number }) => res.statusCode !== 401 && res.statusCode !== 429,
    ...(stores ? { store: stores(name) } : {}),
  });
  const address = (req: Request) => ipKeyGenerator(req.ip ?? '');
  const account = (req: Request) => {
    // The body is not validated yet: a username that is not a string counts against one shared key.
    const raw = (req.body as { username?: unknown } | undefined)?.username;
    const name = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    return name && !name.includes('@') && options.defaultDomain ? `${name}@${options.defaultDomain}` : name;
  };
  return [
    rateLimit({ ...common('login-ip'), windowMs: 60_000, limit: options.perIpPerMinute, keyGenerator: address, handler: refuse }),
    rateLimit({
      ...common('login-account-ip'),
      windowMs: 15 * 60_000,
      limit: options.perAccountAddress,
      keyGenerator: (req) => `${account(req)}\n${address(req)}`,
      requestPropertyName: 'accountAddressLimit',
      handler: refuse,
    }),
    rateLimit({
      ...common('login-account'),
      windowMs: 3_600_000,
      limit: options.perAccountPerHour,
      keyGenerator: account,
      // Over the ceiling: only an address whose one hit so far is this very attempt may still try.
      handler: (req, res, next) => {
        if ((req.accountAddressLimit?.used ?? Infinity) > 1) return refuse(req, res, next);
        res.removeHeader('Retry-After');
        next();
      },
    }),
  ];
}
