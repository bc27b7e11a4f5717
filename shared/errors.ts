/** Stable error codes of the API: clients branch on `code`, people read `message`. */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'unauthorized',
  'invalid_credentials',
  'csrf_failed',
  'unsupported_media_type',
  'session_expired',
  'sso_disabled',
  'sso_invalid',
  'sso_expired',
  'sso_replayed',
  'forbidden',
  'not_found',
  'conflict',
  'gone',
  'too_large',
  'too_many_attempts',
  'busy',
  'mail_server_unavailable',
  'amavis_unavailable',
  'release_failed',
  'release_unknown',
  'release_outcome_unknown',
  'list_index_missing',
  'stats_unavailable',
  'learning_unavailable',
  'learning_failed',
  'not_spam_incomplete',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The body of every 4xx/5xx answer. `requestId` ties an answer to the server log. */
export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  requestId?: string;
  details?: unknown;
}
