import { randomBytes } from 'node:crypto';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { ROUTES } from '../../shared/routes';
import type { SessionUser } from '../../shared/session';
import { AppError } from '../errors';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import { presentSession } from '../presenters/session';
import type { AuthService } from '../services/auth';
import type { SsoService } from '../services/sso';
import { parseInput } from '../validation';

const signInSchema = z.object({
  username: z.string().min(1, 'enter your e-mail address').max(254),
  password: z.string().min(1, 'enter your password').max(1024),
});

const ssoSchema = z.object({ token: z.string().min(1, 'send the single sign-on token').max(1024) });

const call = (req: Request, method: 'regenerate' | 'save' | 'destroy') =>
  new Promise<void>((resolve, reject) =>
    req.session[method]((err: unknown) => (err ? reject(err instanceof Error ? err : new Error(`session ${method} failed`, { cause: err })) : resolve())),
  );

/** Starts the session of a user whose identity is proven, and answers `{user, csrfToken}`. */
async function startSession(req: Request, res: Response, user: SessionUser, features: { learn?: boolean; digest?: boolean }): Promise<void> {
  // A new id at sign-in, so a session id planted before sign-in is worth nothing after it.
  await call(req, 'regenerate');
  req.session.user = { email: user.email, addresses: user.addresses };
  req.session.csrfToken = randomBytes(32).toString('base64url');
  req.session.signedInAt = Date.now();
  await call(req, 'save');
  res.json(presentSession(user, req.session.csrfToken, features));
}

/**
 * POST/GET/DELETE /api/session: sign in with the mail password, read the session, sign out; and
 * POST /api/session/sso: sign in with the webmail's single sign-on token.
 */
export function sessionRoutes(deps: {
  auth: AuthService;
  sso: SsoService;
  config: IdentityConfig;
  loginLimits: RequestHandler[];
  ssoLimits: RequestHandler[];
  /** What this server offers beyond the quarantine, sent with the session as capabilities. */
  features?: { learn?: boolean; digest?: boolean };
}): Router {
  const features = deps.features ?? {};
  const router = Router();

  router.post(ROUTES.session, ...deps.loginLimits, async (req, res) => {
    const { username, password } = parseInput(signInSchema, req.body);
    await startSession(req, res, await deps.auth.signIn(username, password, req.ip), features);
  });

  router.post(ROUTES.sso, ...deps.ssoLimits, async (req, res) => {
    const { token } = parseInput(ssoSchema, req.body);
    await startSession(req, res, await deps.sso.signIn(token), features);
  });

  router.get(ROUTES.session, requireUser(deps.config), (req, res) => {
    const token = req.session.csrfToken;
    if (!token) throw new AppError(401, 'unauthorized', 'sign in first');
    res.setHeader('Cache-Control', 'no-store');
    res.json(presentSession(userOf(req), token, features));
  });

  router.delete(ROUTES.session, requireUser(deps.config), async (req, res) => {
    await call(req, 'destroy');
    res.clearCookie('aq_session', { path: '/' });
    res.status(204).end();
  });

  return router;
}
