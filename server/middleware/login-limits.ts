import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AppError } from '../errors';

/**
 * Sign-in throttling, per client IP and per account, so neither one address nor one botnet can guess
 * passwords through us. Only failed attempts count; an unreachable IMAP server (503) is not the user's
 * failure. The counters are per instance (in memory).
 */
export function loginLimits(options: { perIpPerMinute: number; perAccountPerHour: number }): RequestHandler[] {
  const handler: RequestHandler = (_req, res, next) => {
    const retry = Number(res.getHeader('Retry-After') ?? 60);
    next(new AppError(429, 'too_many_attempts', `too many sign-in attempts; try again in ${Math.max(1, Math.ceil(retry / 60))} minute(s)`));
  };
  const common = {
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req: unknown, res: { statusCode: number }) => res.statusCode < 400 || res.statusCode === 503,
    handler,
  };
  return [
    rateLimit({ ...common, windowMs: 60_000, limit: options.perIpPerMinute }),
    rateLimit({
      ...common,
      windowMs: 3_600_000,
      limit: options.perAccountPerHour,
      keyGenerator: (req) => {
        // The body is not validated yet: a username that is not a string counts against one shared key.
        const username = (req.body as { username?: unknown } | undefined)?.username;
        return `account:${typeof username === 'string' ? username.trim().toLowerCase() : ''}`;
      },
    }),
  ];
}
