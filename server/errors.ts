import type { ErrorCode } from '../shared/errors';

/** A known failure: it carries the HTTP status, a stable code, and a message a person can act on. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
