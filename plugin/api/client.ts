import type { ApiErrorBody, ErrorCode } from '../../shared/errors';
import type { PublicHealth } from '../../shared/health';
import { ROUTES } from '../../shared/routes';

/** An API answer that is not a success, with the server's stable code and its human message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network_error',
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The only fetch in the widget: JSON, cookies included, errors turned into ApiError. */
async function request<T>(base: string, method: string, path: string, options: { acceptStatus?: number[]; body?: unknown } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      credentials: 'include',
      headers: { Accept: 'application/json', ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The quarantine server cannot be reached.');
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok || options.acceptStatus?.includes(response.status)) return body as T;
  const error = body as Partial<ApiErrorBody> | undefined;
  throw new ApiError(response.status, error?.code ?? 'internal', error?.message ?? `The server answered ${response.status}.`);
}

/** Typed endpoints, one line each. */
export function createApiClient(base: string) {
  const api = base.replace(/\/+$/, '');
  return {
    // 503 carries the same body: it is an answer, not a failure to answer.
    health: () => request<PublicHealth>(api, 'GET', ROUTES.health, { acceptStatus: [503] }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
