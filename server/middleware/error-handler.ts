import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ApiErrorBody } from '../../shared/errors';
import { transientDbFault } from '../db/connect';
import { AppError } from '../errors';
import type { Logger } from '../logger';

/** Answers unknown API paths with the same JSON shape as every other error. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'not_found', `no such API endpoint: ${req.method} ${req.path}`));
};

/** The one error handler: known errors keep their status and code; the rest are logged and hidden. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let body: ApiErrorBody;
    let status: number;
    const fault = err instanceof AppError ? undefined : transientDbFault(err);
    if (fault) {
      // A full pool, a cut or stalled connection, a statement out of time: the client may try again,
      // and says so to the user; it is no server bug, so no 500.
      status = 503;
      body = { code: 'busy', message: fault.message, requestId: req.id };
      logger.warn({ requestId: req.id, err }, 'database busy or unavailable');
      if (!res.headersSent) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
    } else if (err instanceof AppError) {
      status = err.status;
      body = { code: err.code, message: err.message, requestId: req.id, ...(err.details === undefined ? {} : { details: err.details }) };
    } else if (err instanceof URIError) {
      // Express's router decodes path parameters and throws on a malformed %-escape (e.g. %E0%A4%A):
      // the client's mistake, not ours.
      status = 400;
      body = { code: 'bad_request', message: 'the request path has a malformed %-escape', requestId: req.id };
    } else if (isBodyParserError(err)) {
      status = err.status;
      body = { code: 'bad_request', message: `the request body could not be read: ${err.message}`, requestId: req.id };
    } else {
      status = 500;
      logger.error({ requestId: req.id, err }, 'unhandled error');
      body = { code: 'internal', message: 'something went wrong on the server; the log has the details', requestId: req.id };
    }
    if (res.headersSent) return;
    // Every "busy" answer says when to come back (RFC 9110 Retry-After, in seconds).
    if (body.code === 'busy' && !res.getHeader('Retry-After')) res.setHeader('Retry-After', status === 429 ? '1' : '5');
    res.status(status).json(body);
  };
}

function isBodyParserError(err: unknown): err is { status: number; message: string } {
  const e = err as { type?: string; status?: number };
  return typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500;
}
