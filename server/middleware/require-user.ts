import type { RequestHandler } from 'express';
import type { SessionUser } from '../../shared/session';
import type { Config } from '../config';
import { AppError } from '../errors';
import { roleOf } from '../services/identity';

declare global {
  namespace Express {
    interface Request {
      user?: SessionUser;
    }
  }
}

/** Lets signed-in users through, with req.user; the role is read from the config at every request. */
export function requireUser(config: Parameters<typeof roleOf>[1]): RequestHandler {
  return (req, _res, next) => {
    const stored = req.session?.user;
    if (!stored) return next(new AppError(401, 'unauthorized', 'sign in first'));
    req.user = { email: stored.email, addresses: stored.addresses, ...roleOf(stored.email, config) };
    next();
  };
}

/** The signed-in user of a request behind requireUser. */
export function userOf(req: Parameters<RequestHandler>[0]): SessionUser {
  if (!req.user) throw new AppError(401, 'unauthorized', 'sign in first');
  return req.user;
}

export type IdentityConfig = Pick<Config, 'superUsers' | 'domainAdmins' | 'defaultDomain' | 'imapMasterSeparator'>;
