import { randomBytes } from 'node:crypto';
import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { ROUTES } from '../../shared/routes';
import { AppError } from '../errors';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import { presentSession } from '../presenters/session';
import type { AuthService } from '../services/auth';
import { parseInput } from '../validation';

const signInSchema = z.object({
  username: z.string().min(1, 'enter your e-mail address').max(254),
  password: z.string().min(1, 'enter your password').max(1024),
});

const call = (req: Request, method: 'regenerate' | 'save' | 'destroy') =>
  new Promise<void>((resolve, reject) => req.session[method]((err: unknown) => (err ? reject(err) : resolve())));

/** POST/GET/DELETE /api/session: sign in with the mail password, read the session, sign out. */
export function sessionRoutes(deps: { auth: AuthService; config: IdentityConfig; loginLimits: RequestHandler[] }): Router {
  const router = Router();

  router.post(ROUTES.session, ...deps.loginLimits, async (req, res) => {
    const { username, password } = parseInput(signInSchema, req.body);
    const user = await deps.auth.signIn(username, password, req.ip);
    // A new id at sign-in, so a session id planted before sign-in is worth nothing after it.
    await call(req, 'regenerate');
    req.session.user = { email: user.email, addresses: user.addresses };
    req.session.csrfToken = randomBytes(32).toString('base64url');
    req.session.signedInAt = Date.now();
    await call(req, 'save');
    res.json(presentSession(user, req.session.csrfToken));
  });

  router.get(ROUTES.session, requireUser(deps.config), (req, res) => {
    const token = req.session.csrfToken;
    if (!token) throw new AppError(401, 'unauthorized', 'sign in first');
    res.setHeader('Cache-Control', 'no-store');
    res.json(presentSession(userOf(req), token));
  });

  router.delete(ROUTES.session, requireUser(deps.config), async (req, res) => {
    await call(req, 'destroy');
    res.clearCookie('aq_session', { path: '/' });
    res.status(204).end();
  });

  return router;
}
