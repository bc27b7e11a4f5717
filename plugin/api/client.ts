import type { BatchAction } from '../../shared/actions';
import type { AuditListResponse } from '../../shared/audit';
import { BATCH_PROGRESS_TYPE, type BatchProgress, type BatchProgressLine } from '../../shared/batch';
import type { ApiErrorBody, ErrorCode } from '../../shared/errors';
import type { PublicHealth } from '../../shared/health';
import type { LearnAs, LearnResult, NotSpamResponse } from '../../shared/learning';
import type { MessageDetail } from '../../shared/message';
import type { PolicyResponse, PolicyUpdateRequest, PolicyUpdateResponse } from '../../shared/policy';
import type { QuarantineListResponse } from '../../shared/quarantine';
import type { AdminReleaseOutcome, BatchResponse, DeleteOutcome, ReleaseOutcome } from '../../shared/release';
import type { ApproveOutcome, ReleaseRequestListResponse, ReleaseRequestView } from '../../shared/requests';
import { ROUTES } from '../../shared/routes';
import type { BlockSenderResponse, SenderListAddRequest, SenderListChange, SenderListResponse } from '../../shared/sender-lists';
import type { SessionResponse } from '../../shared/session';
import type { StatsResponse } from '../../shared/stats';
import type { DigestSettings, DigestSettingsUpdate } from '../../shared/digest';

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

/** The body of allow-sender / block-sender on a message: `for: 'domain'` makes it an admin's entry for the recipient's whole domain. */
const senderListBody = (scope: Scope, forDomain: boolean) => ({ scope, ...(forDomain ? { for: 'domain' } : {}) });
const unreachable = () => new ApiError(0, 'network_error', 'The quarantine server cannot be reached.');

/** Reads a batch's progress (NDJSON, shared/batch.ts) line by line; resolves with the results of its `end` line. */
async function readProgress(response: Response, onLine: (line: BatchProgressLine) => void): Promise<BatchResponse> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
    buffer += decoder.decode(chunk.value, { stream: !chunk.done });
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const text of lines) {
      const line = JSON.parse(text) as BatchProgressLine;
      if (line.type === 'end') return { results: line.results };
      onLine(line);
    }
    // Cut before its end (the server stopped, the network failed): what happened to the rest is not known.
    if (chunk.done) throw unreachable();
  }
}

/** Allow or block a message's sender address, or its whole domain. */
export type Scope = 'address' | 'domain';

/** Typed endpoints over the only fetch in the widget: JSON, cookies included, the CSRF token on writes. */
export function createApiClient(base: string, onUnauthorized: () => void) {
  const api = base.replace(/\/+$/, '');
  let csrfToken = '';

  async function request<T>(method: string, path: string, options: { body?: unknown; accept?: number[]; onLine?: (line: BatchProgressLine) => void } = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${api}${path}`, {
        method,
        credentials: 'include',
        headers: {
          Accept: options.onLine ? `${BATCH_PROGRESS_TYPE}, application/json` : 'application/json',
          ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(method === 'GET' ? {} : { 'X-CSRF-Token': csrfToken }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch {
      throw unreachable();
    }
    if (options.onLine && response.ok && response.headers.get('Content-Type')?.startsWith(BATCH_PROGRESS_TYPE))
      return (await readProgress(response, options.onLine)) as T;
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
    /** `confirmUnknown`: the user saw that an earlier release got no answer, and wants it sent again anyway. */
    release: (id: string, confirmUnknown = false) => post<ReleaseOutcome>(ROUTES.release(id), confirmUnknown ? { confirmUnknown } : {}),
    remove: (id: string) => post<DeleteOutcome>(ROUTES.remove(id)),
    requestRelease: (id: string) => post<ReleaseRequestView>(ROUTES.requestRelease(id)),
    batch: (action: BatchAction, ids: string[]) => post<BatchResponse>(ROUTES.batch, { action, ids }),
    batchWithProgress: (action: BatchAction, ids: string[], onProgress: (p: BatchProgress) => void) =>
      request<BatchResponse>('POST', ROUTES.batch, { body: { action, ids }, onLine: (l) => l.type === 'result' && onProgress(l) }),
    requests: () => get<ReleaseRequestListResponse>(`${ROUTES.requests}?status=pending`),
    approve: (rid: number) => post<ApproveOutcome>(`${ROUTES.requests}/${rid}/approve`),
    deny: (rid: number, note: string) => post<ReleaseRequestView>(`${ROUTES.requests}/${rid}/deny`, note ? { note } : {}),
    /** Filters (actor, action, since, until) and `before`, the `nextBefore` of the page before. */
    audit: (query: Query = {}) => get<AuditListResponse>(`${ROUTES.audit}${queryString({ limit: 50, ...query })}`),
    /** Admins: release to another address, or to every recipient in their scope. */
    releaseAs: (id: string, target: { to: string } | { allRecipients: true }) => post<AdminReleaseOutcome>(ROUTES.release(id), target),
    /** `forDomain`: an admin's entry for the whole domain of the message's recipient. */
    allowSender: (id: string, scope: Scope, forDomain = false) => post<SenderListChange>(ROUTES.allowSender(id), senderListBody(scope, forDomain)),
    blockSender: (id: string, scope: Scope, forDomain = false) => post<BlockSenderResponse>(ROUTES.blockSender(id), senderListBody(scope, forDomain)),
    learn: (id: string, as: LearnAs) => post<LearnResult>(ROUTES.learn(id), { as }),
    /** 207: some steps were not done; the answer says which, so it is not an error. */
    notSpam: (id: string) => request<NotSpamResponse>('POST', ROUTES.notSpam(id), { body: {}, accept: [207] }),
    senderLists: () => get<SenderListResponse>(ROUTES.senderLists),
    addSenderList: (entry: SenderListAddRequest) => post<SenderListChange>(ROUTES.senderLists, entry),
    removeSenderList: (id: string) => request<{ removed: number }>('DELETE', ROUTES.senderList(id)),
    /** `target`: me (the default), an @domain, or everyone. */
    policy: (target?: string) => get<PolicyResponse>(`${ROUTES.policy}${queryString({ for: target })}`),
    savePolicy: (update: PolicyUpdateRequest) => request<PolicyUpdateResponse>('PUT', ROUTES.policy, { body: update }),
    /** `scope`: user, site, or a domain's name (scope=domain&domain=…). */
    stats: (scope: string, days: number) =>
      get<StatsResponse>(`${ROUTES.stats}${queryString(scope === 'user' || scope === 'site' ? { scope, days } : { scope: 'domain', domain: scope, days })}`),
    /** `target`: the user's own (undefined), `domain:example.org` or `site`. */
    digest: (target?: string) => get<DigestSettings>(`${ROUTES.digestSettings}${queryString({ for: target })}`),
    saveDigest: (update: DigestSettingsUpdate) => request<DigestSettings>('PUT', ROUTES.digestSettings, { body: update }),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
