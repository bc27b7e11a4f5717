import type { RequestHandler } from 'express';
import { runAbandonable } from '../db/connect';
import { AppError } from '../errors';

/**
 * Guards the listing, the one heavy read: a session may run only `perSession` listings at once (the
 * excess is answered 429 busy at once, before it costs anything), and a listing whose client went away
 * stops its statement (KILL QUERY) instead of holding a connection until it ends. The listings of all
 * sessions share a pool of their own (server/context.ts), so they can never starve sign-in, session
 * lookups or releases.
 */
export function listingGate(options: { perSession: number }): RequestHandler {
  const running = new Map<string, number>();
  return (req, res, next) => {
    // Behind requireUser there is always a session; the address is only a fallback.
    const key = req.sessionID || `ip:${req.ip}`;
    const count = running.get(key) ?? 0;
    if (count >= options.perSession) {
      next(new AppError(429, 'busy', `this session already has ${count} listings running; try again when they are done`));
      return;
    }
    running.set(key, count + 1);
    const abandoned = new AbortController();
    res.once('close', () => {
      const left = (running.get(key) ?? 1) - 1;
      if (left > 0) running.set(key, left);
      else running.delete(key);
      // 'close' before the response was complete: the client gave up (a new filter, a closed tab).
      if (!res.writableFinished) abandoned.abort();
    });
    runAbandonable(abandoned.signal, () => next());
  };
}
