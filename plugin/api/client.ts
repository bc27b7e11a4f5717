import type { ApiErrorBody, ErrorCode } from '../../shared/errors';
import type { PublicHealth } from '../../shared/health';
import type { MessageDetail } from '../../shared/message';
import type { QuarantineListResponse } from '../../shared/quarantine';
import type { ReleaseRequestView } from '../../shared/requests';
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

export interface BatchResult {
  id: string;
  ok: boolean;
  status: string | number;
  message?: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  recipient: string | null;
  result: string;
  reply: string | null;
}

type Query = Record<string, string | number | boolean | string[] | undefined>;

const queryString = (query: Query) => {
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
  const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, { body });

  return {
    base: api,
    health: () => request<PublicHealth>('GET', ROUTES.health, { accept: [503] }),
    session: () => request<SessionResponse>('GET', ROUTES.session).then(remember),
    signIn: (username: string, password: string) => post<SessionResponse>(ROUTES.session, { username, password }).then(remember),
    sso: (token: string) => post<SessionResponse>(ROUTES.sso, { token }).then(remember),
    signOut: () => request<void>('DELETE', ROUTES.session),
    list: (query: Query) => request<QuarantineListResponse>('GET', `${ROUTES.messages}${queryString(query)}`),
    message: (id: string) => request<MessageDetail>('GET', ROUTES.message(id)),
    rawUrl: (id: string) => `${api}${ROUTES.messageRaw(id)}`,
    release: (id: string) => post<{ alreadyReleased?: boolean }>(ROUTES.release(id)),
    remove: (id: string) => post(ROUTES.remove(id)),
    requestRelease: (id: string) => post<ReleaseRequestView>(ROUTES.requestRelease(id)),
    batch: (action: 'release' | 'delete' | 'request', ids: string[]) => post<{ results: BatchResult[] }>(ROUTES.batch, { action, ids }),
    requests: () => request<{ items: ReleaseRequestView[] }>('GET', `${ROUTES.requests}?status=pending`),
    approve: (rid: number) => post(`${ROUTES.requests}/${rid}/approve`),
    deny: (rid: number, note: string) => post(`${ROUTES.requests}/${rid}/deny`, note ? { note } : {}),
    audit: () => request<{ items: AuditEntry[] }>('GET', `${ROUTES.audit}?limit=100`),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
