import { Router, type Response } from 'express';
import { z } from 'zod';
import { BATCH_ACTIONS } from '../../shared/actions';
import { BATCH_PROGRESS_TYPE, type BatchProgressLine } from '../../shared/batch';
import type { BatchResponse } from '../../shared/release';
import { ROUTES } from '../../shared/routes';
import { transientDbFault } from '../db/connect';
import type { Logger } from '../logger';
import { requireUser, userOf, type IdentityConfig } from '../middleware/require-user';
import { NOT_ATTEMPTED, runBatch, type BatchOptions } from '../services/batch';
import type { LearningService } from '../services/learning';
import type { SenderListService } from '../services/sender-lists';
import type { ReleaseRequestService } from '../services/release-requests';
import type { ReleaseService } from '../services/release';
import { parseInput } from '../validation';

const batchSchema = z.object({
  action: z.enum(BATCH_ACTIONS),
  ids: z.array(z.string().min(1).max(100)).min(1).max(500),
});

type Deps = {
  release: ReleaseService;
  requests: ReleaseRequestService;
  learning: LearningService;
  senderLists: SenderListService;
  config: IdentityConfig;
  logger: Logger;
  /** Aborted when the server begins to shut down: a running batch starts no further id. */
  shutdown?: AbortSignal | undefined;
};

/** One id's unexpected error as that id's failure: logged with the request id, told to the client in general words. */
function unexpectedFailure(logger: Logger, requestId: string): NonNullable<BatchOptions['onUnexpected']> {
  return (id, err) => {
    const fault = transientDbFault(err);
    if (fault) {
      logger.warn({ requestId, messageId: id, err }, 'batch: database busy or unavailable for one message');
      return { code: 'busy', message: fault.message, httpStatus: 503 };
    }
    logger.error({ requestId, messageId: id, err }, 'batch: unexpected error for one message');
    return { code: 'internal', message: 'something went wrong on the server; the log has the details', httpStatus: 500 };
  };
}

/** Writes one progress line, unless the client has gone (the batch goes on: the user asked for it). */
function writeLine(res: Response, line: BatchProgressLine): void {
  if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(line)}\n`);
}

/**
 * POST /api/messages/batch: one action over up to 500 ids, a result per id. CSRF-checked in front of
 * this router. A client that accepts `application/x-ndjson` gets the progress as it happens on the same
 * request (see shared/batch.ts); any other gets one JSON answer at the end.
 */
export function batchRoutes(deps: Deps): Router {
  const router = Router();
  router.post(ROUTES.batch, requireUser(deps.config), async (req, res) => {
    const { action, ids } = parseInput(batchSchema, req.body);
    const user = userOf(req);
    const options: BatchOptions = { stop: deps.shutdown, onUnexpected: unexpectedFailure(deps.logger, req.id) };
    const finished = (results: BatchResponse['results']) => {
      if (deps.shutdown?.aborted) {
        const notAttempted = results.filter((r) => !r.ok && r.message === NOT_ATTEMPTED).length;
        deps.logger.info({ requestId: req.id, action, total: results.length, notAttempted }, 'batch cut short by the shutdown: the started ids finished');
      }
      return results;
    };

    if (!req.get('Accept')?.includes(BATCH_PROGRESS_TYPE)) {
      const body: BatchResponse = { results: finished(await runBatch(deps, user, action, ids, options)) };
      res.json(body);
      return;
    }
    // Progress on the same request, not a job to poll: nothing to keep, to clean up or to share between
    // instances behind a load balancer, and the results go to the one who asked, on the connection they opened.
    const total = new Set(ids).size;
    res.status(200).type(BATCH_PROGRESS_TYPE);
    res.setHeader('Cache-Control', 'no-store');
    // nginx buffers a proxied answer by default, which would hold every line back until the end.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    writeLine(res, { type: 'start', total });
    const results = await runBatch(deps, user, action, ids, { ...options, onResult: (result, done) => writeLine(res, { type: 'result', done, total, result }) });
    writeLine(res, { type: 'end', results: finished(results) });
    res.end();
  });
  return router;
}
