import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { MESSAGE_STATUSES, MESSAGE_TYPES } from '../../shared/quarantine';
import { ROUTES } from '../../shared/routes';
import { abandonSignal, runAbandonable } from '../db/connect';
import { AppError } from '../errors';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import { presentItem } from '../presenters/quarantine-item';
import type { MessageService } from '../services/messages';
import type { ReleasePolicy } from '../services/policy';
import { createSharedReads } from '../services/shared-reads';
import { parseInput } from '../validation';

// ?type=spam&type=virus and ?type=spam,virus both work.
const listOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter(Boolean))
    .pipe(z.array(z.enum(values)))
    .optional();

// A date (2026-11-21), a timestamp, or Unix seconds.
const instant = z
  .string()
  .transform((v, ctx) => {
    const seconds = /^\d{9,11}$/.test(v) ? Number(v) : Math.floor(Date.parse(v) / 1000);
    if (!Number.isFinite(seconds)) {
      ctx.addIssue({ code: 'custom', message: 'must be a date like 2026-11-21 or an ISO timestamp' });
      return z.NEVER;
    }
    return seconds;
  })
  .optional();

const listSchema = z.object({
  type: listOf(MESSAGE_TYPES),
  status: listOf(MESSAGE_STATUSES),
  q: z.string().trim().max(200).optional(),
  from: z.string().trim().max(254).optional(),
  to: z.string().trim().max(254).optional(),
  since: instant,
  until: instant,
  sort: z.enum(['date', 'score', 'sender', 'subject']).optional(),
  dir: z.enum(['asc', 'desc']).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  count: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
});

const viewSchema = z.object({ received: z.enum(['1', 'true']).optional() });

/**
 * The listing, the one request a busy widget repeats: app.ts mounts it right after the session, ahead of
 * the routers that never serve it (it is a GET: the CSRF check passes it anyway). Every lookup is scoped
 * to the session user in SQL.
 */
export function listRoute(deps: {
  messages: MessageService;
  config: IdentityConfig;
  retentionDays: number;
  releasePolicy: ReleasePolicy;
  /** Caps a session's concurrent listings and stops abandoned ones (middleware/listing-gate.ts). */
  listingGate: RequestHandler;
}): Router {
  const router = Router();
  // Identical listings (the same user, the same question) that come in together are read once, by a
  // statement that starts after each of them arrived (services/shared-reads.ts): a user's tabs, or the
  // widget and its webmail, asking at once cost one statement, and no answer predates its request.
  const shared = createSharedReads({ gone: () => new AppError(503, 'busy', 'the client went away; the request was stopped') });
  router.get(ROUTES.messages, requireUser(deps.config), deps.listingGate, async (req, res) => {
    const user = userOf(req);
    const parsed = parseInput(listSchema, req.query);
    const query = { ...parsed, q: parsed.q || undefined, from: parsed.from || undefined, to: parsed.to || undefined };
    const body = await shared.run(JSON.stringify([user, query]), abandonSignal(), (signal) =>
      runAbandonable(signal, async () => {
        const result = await deps.messages.list(user, query);
        return JSON.stringify({
          items: result.rows.map((row) => presentItem(row, { retentionDays: deps.retentionDays, user, policy: deps.releasePolicy })),
          nextCursor: result.nextCursor,
          ...(result.count ? { count: result.count } : {}),
        });
      }),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.type('json').send(body);
  });

  return router;
}

/** The quarantine: view and raw download (the list is listRoute). Every lookup is scoped to the session user in SQL. */
export function messageRoutes(deps: { messages: MessageService; config: IdentityConfig }): Router {
  const router = Router();
  router.use(ROUTES.messages, requireUser(deps.config));

  router.get('/messages/:id', async (req, res) => {
    const { received } = parseInput(viewSchema, req.query);
    const detail = await deps.messages.view(userOf(req), String(req.params.id), { withReceived: Boolean(received) });
    res.setHeader('Cache-Control', 'no-store');
    res.json(detail);
  });

  router.get('/messages/:id/raw', async (req, res) => {
    const { filename, chunks } = await deps.messages.raw(userOf(req), String(req.params.id));
    res.setHeader('Content-Type', 'message/rfc822');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    for await (const chunk of chunks) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });

  return router;
}
