import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { AppError } from '../errors';
import type { RateLimitStoreFactory } from '../db/rate-limit-store';
import { PAGE_CSP, renderErrorPage, renderLinkPage, renderOutcomePage } from '../presenters/self-service-page';
import { PAGE_LOCALES, type PageLocale } from '../presenters/self-service-strings';
import type { SelfService, SelfServiceLink } from '../services/self-service';
import { parseInput } from '../validation';

const plain = z.object({
  mail_id: z.string().regex(/^[A-Za-z0-9_+-]{1,16}$/, 'is not an amavis mail_id'),
  secret_id: z.string().regex(/^[A-Za-z0-9_+-]{1,16}$/, 'is not an amavis secret_id'),
  rcpt: z
    .string()
    .trim()
    .max(254)
    .regex(/^[^\s@]+@[^\s@]+$/, 'must be an e-mail address'),
  partition_tag: z.coerce.number().int().optional(),
});
const signed = z.object({ token: z.string().min(1).max(200) });
const linkSchema = z.union([signed, plain], 'send a token, or mail_id, secret_id and rcpt');
const ACTIONS = ['release', 'delete', 'request', 'allow', 'block'] as const;
const actionSchema = z.object({ action: z.enum(ACTIONS) });
// The action a digest's link was made for, and the digest's language: presentation only, never a permission.
const linkExtras = z.object({ action: z.enum(ACTIONS).optional().catch(undefined), lang: z.enum(PAGE_LOCALES).optional().catch(undefined) });

const linkOf = (input: z.infer<typeof linkSchema>): SelfServiceLink =>
  'token' in input ? { token: input.token } : { mailId: input.mail_id, secretId: input.secret_id, recipient: input.rcpt, partitionTag: input.partition_tag };

/** The link's own language (a digest's `lang`, kept by the page's form), else the browser's. */
function localeOf(req: Request): PageLocale {
  const body: unknown = req.method === 'POST' ? req.body : undefined;
  const lang = linkExtras.safeParse({ ...(body && typeof body === 'object' ? body : {}), ...req.query }).data?.lang;
  return lang ?? ((req.acceptsLanguages(...PAGE_LOCALES) || 'en') as PageLocale);
}
// Browsers ask for HTML first; fetch() and scripts send */* and get JSON, as before.
const wantsPage = (req: Request) => (req.method === 'POST' ? req.is('application/x-www-form-urlencoded') !== false : req.accepts(['json', 'html']) === 'html');

function sendPage(res: Response, status: number, html: string): void {
  res.status(status).setHeader('Content-Security-Policy', PAGE_CSP).type('html').send(html);
}

/**
 * GET/POST /api/self-service: one recipient's copy, from a link, without signing in. Off by default.
 * A browser gets a small page (GET shows, a form POST acts); other clients get JSON. GET never changes
 * anything. A POST is taken only as JSON or as our own page's form, and only from our origin (or an
 * allowed webmail's): there is no cookie to ride on, and the signed token in the body is the credential.
 */
export function selfServiceRoutes(deps: {
  selfService: SelfService;
  enabled: boolean;
  allowedOrigins: readonly string[];
  stores?: RateLimitStoreFactory | undefined;
}): Router {
  const router = Router();
  const fail = (req: Request, res: Response, next: NextFunction, err: unknown) => {
    if (!(err instanceof AppError) || !wantsPage(req)) return next(err);
    const reason = (err.details as { reason?: string } | undefined)?.reason;
    sendPage(res, err.status, renderErrorPage(localeOf(req), err.code, reason));
  };
  // Guessing secrets must be slow: few attempts per address, whatever the answer, counted across instances.
  const limit = rateLimit({
    windowMs: 60_000,
    limit: 30,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(deps.stores ? { store: deps.stores('self-service-ip') } : {}),
    handler: (req, res, next) => fail(req, res, next, new AppError(429, 'too_many_attempts', 'too many requests; try again in a minute')),
  });
  router.use('/self-service', (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    // The URL carries the link's secret: never to another site. same-origin, not no-referrer, because with
    // no-referrer browsers send `Origin: null` on the page's own form post, which the Origin check refuses.
    res.setHeader('Referrer-Policy', 'same-origin');
    if (!deps.enabled) return fail(req, res, next, new AppError(404, 'not_found', 'self-service links are not enabled here'));
    next();
  });
  router.use('/self-service', limit);

  router.get('/self-service', async (req, res, next) => {
    try {
      const input = parseInput(linkSchema, req.query);
      const detail = await deps.selfService.view(linkOf(input));
      if (!wantsPage(req)) return void res.json(detail);
      // The form posts back here; relative, so it works under any reverse-proxy prefix.
      const locale = localeOf(req);
      const chosen = linkExtras.parse(req.query).action;
      // The form keeps the link's language, so the outcome page speaks it too.
      sendPage(res, 200, renderLinkPage(locale, detail.item, 'token' in input ? input.token : undefined, `self-service?lang=${locale}`, chosen));
    } catch (err) {
      fail(req, res, next, err);
    }
  });

  const allowed = new Set(deps.allowedOrigins);
  router.post('/self-service', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res, next) => {
    try {
      if (!req.is(['application/json', 'application/x-www-form-urlencoded'])) {
        throw new AppError(415, 'unsupported_media_type', 'send the request body as application/json (or our page’s form)');
      }
      // A cross-site page may post a form here; browsers say where it came from, and we refuse it.
      const origin = req.get('origin');
      const own = `${req.protocol}://${req.get('host') ?? ''}`;
      if ((origin !== undefined && origin !== own && !allowed.has(origin)) || req.get('sec-fetch-site') === 'cross-site') {
        throw new AppError(403, 'csrf_failed', 'this form was not sent from this server’s page');
      }
      const input = parseInput(linkSchema, req.body);
      const { action } = parseInput(actionSchema, req.body);
      const outcome = await deps.selfService.act(linkOf(input), action);
      if (!wantsPage(req)) return void res.json(outcome);
      sendPage(res, 200, renderOutcomePage(localeOf(req), action));
    } catch (err) {
      fail(req, res, next, err);
    }
  });
  return router;
}
