import type { BatchAction } from '../../shared/actions';
import type { AuditListResponse } from '../../shared/audit';
import type { ApiErrorBody, ErrorCode } from '../../shared/errors';
import type { PublicHealth } from '../../shared/health';
import type { MessageDetail } from '../../shared/message';
import type { QuarantineListResponse } from '../../shared/quarantine';
import type { BatchResponse, DeleteOutcome, ReleaseOutcome } from '../../shared/release';
import type { ApproveOutcome, ReleaseRequestListResponse, ReleaseRequestView } from '../../shared/requests';
import { ROUTES } from '../../shared/routes';
import type { SessionResponse } from '../../shared/session';

/** An API answer that is not a success, with the server's stable code and its human message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network_error',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A query string's values; empty strings and undefined are left out, arrays repeat the key. */
export type Query = Record<string, string | number | boolean | string[] | undefined>;

/** Builds `?a=1&b=2` (or nothing) from a query. */
export const queryString = (query: Query): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && v !== '') params.append(key, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
};

/** Typed endpoints over the only fetch in the widget: JSON, cookies included, the CSRF token on writes. */
export function createApiClient(base: string, onUnauthorized: () => void) {
  const api = base.replace(/\/+$/, '');
  let csrfToken = '';

  async function request<T>(method: string, path: string, options: { body?: unknown; accept?: number[] } = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${api}${path}`, {
        method,
        credentials: 'include',
        headers: {
          Accept: 'application/json',
          ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(method === 'GET' ? {} : { 'X-CSRF-Token': csrfToken }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch {
      throw new ApiError(0, 'network_error', 'The quarantine server cannot be reached.');
    }
    const body: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    if (response.ok || options.accept?.includes(response.status)) return body as T;
    const error = body as Partial<ApiErrorBody> | undefined;
    // A session that ended (idle, absolute lifetime, sign-out elsewhere) sends the user back to sign-in.
    if (response.status === 401 && !path.startsWith(ROUTES.session)) onUnauthorized();
    throw new ApiError(response.status, error?.code ?? 'internal', error?.message ?? `The server answered ${response.status}.`, error?.details);
  }

  const remember = (s: SessionResponse) => {
    csrfToken = s.csrfToken;
    return s;
  };
  const get = <T>(path: string) => request<T>('GET', path);
  const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, { body });

  return {
    base: api,
    health: () => request<PublicHealth>('GET', ROUTES.health, { accept: [503] }),
    session: () => get<SessionResponse>(ROUTES.session).then(remember),
    signIn: (username: string, password: string) => post<SessionResponse>(ROUTES.session, { username, password }).then(remember),
    sso: (token: string) => post<SessionResponse>(ROUTES.sso, { token }).then(remember),
    signOut: () => request<void>('DELETE', ROUTES.session),
    list: (query: Query) => get<QuarantineListResponse>(`${ROUTES.messages}${queryString(query)}`),
    message: (id: string) => get<MessageDetail>(ROUTES.message(id)),
    rawUrl: (id: string) => `${api}${ROUTES.messageRaw(id)}`,
    release: (id: string) => post<ReleaseOutcome>(ROUTES.release(id)),
    remove: (id: string) => post<DeleteOutcome>(ROUTES.remove(id)),
    requestRelease: (id: string) => post<ReleaseRequestView>(ROUTES.requestRelease(id)),
    batch: (action: BatchAction, ids: string[]) => post<BatchResponse>(ROUTES.batch, { action, ids }),
    requests: () => get<ReleaseRequestListResponse>(`${ROUTES.requests}?status=pending`),
    approve: (rid: number) => post<ApproveOutcome>(`${ROUTES.requests}/${rid}/approve`),
    deny: (rid: number, note: string) => post<ReleaseRequestView>(`${ROUTES.requests}/${rid}/deny`, note ? { note } : {}),
    audit: () => get<AuditListResponse>(`${ROUTES.audit}?limit=100`),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
