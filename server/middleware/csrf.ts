import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../errors';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state change must be JSON (a cross-site HTML form cannot send that without a CORS preflight)
 * and, except sign-in, carry the session's CSRF token in X-CSRF-Token.
 */
export function csrfProtection(options: { exempt: (req: Parameters<RequestHandler>[0]) => boolean }): RequestHandler {
  return (req, _res, next) => {
    if (SAFE.has(req.method)) return next();
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) {
      return next(new AppError(415, 'unsupported_media_type', 'send the request body as application/json'));
    }
    if (options.exempt(req)) return next();
    const expected = req.session?.csrfToken;
    const given = req.get('x-csrf-token');
    if (!expected || !given || !equal(expected, given)) {
      return next(new AppError(403, 'csrf_failed', 'the request lacks a valid CSRF token; reload and try again'));
    }
    next();
  };
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
