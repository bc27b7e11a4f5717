import type { AuditEntryView, AuditListResponse } from '../../shared/audit';
import type { ApiErrorBody } from '../../shared/errors';
import type { SessionResponse } from '../../shared/session';

/**
 * A response's JSON body, typed as the shared contract says it is. The cast is the test's claim, not
 * a check: the assertions that follow are the check, and a renamed field fails to compile here first.
 */
export async function bodyOf<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** The body of an error response (`shared/errors.ts`): `{code, message, requestId}`. */
export const errorOf = (res: Response): Promise<ApiErrorBody> => bodyOf<ApiErrorBody>(res);

/** A tiny HTTP client with one cookie jar and the CSRF token, as a browser session would have. */
export class ApiSession {
  cookie: string | undefined;
  csrfToken: string | undefined;
  setCookieHeader: string | undefined;

  constructor(readonly base: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(`${this.base}/api${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...(this.csrfToken && method !== 'GET' ? { 'X-CSRF-Token': this.csrfToken } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      this.setCookieHeader = setCookie;
      this.cookie = setCookie.split(';')[0];
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return this.request('GET', path);
  }

  /** Signs in; returns the raw response (the session keeps the cookie and the CSRF token on success). */
  async signIn(username: string, password: string): Promise<Response> {
    const res = await this.request('POST', '/session', { username, password });
    if (res.ok) {
      const body = await bodyOf<SessionResponse>(res.clone());
      this.csrfToken = body.csrfToken;
    }
    return res;
  }
}

/** Signs in and fails the test loudly when that does not work. */
export async function signedIn(base: string, username: string, password: string): Promise<ApiSession> {
  const session = new ApiSession(base);
  const res = await session.signIn(username, password);
  if (res.status !== 200) throw new Error(`sign-in as ${username} failed: ${res.status} ${await res.text()}`);
  return session;
}

/** The test users of e2e/stack (Dovecot passwd-file) and their roles in the test configuration. */
export const USERS = {
  alice: { email: 'alice@example.test', password: 'alice-pw' },
  bob: { email: 'bob@example.test', password: 'bob-pw' },
  admin: { email: 'admin@example.test', password: 'admin-pw' },
  super: { email: 'super@example.test', password: 'super-pw' },
  carol: { email: 'carol@other.test', password: 'carol-pw' },
} as const;

/** The AQ_* settings that give those users their roles. */
export const ROLE_ENV = {
  AQ_SUPER_USERS: USERS.super.email,
  AQ_DOMAIN_ADMINS: `${USERS.admin.email}:example.test`,
  AQ_DEFAULT_DOMAIN: 'example.test',
};

/** The audit log as a super user reads it (GET /api/audit), newest first, for the given filters. */
export async function auditEntries(superUser: ApiSession, filters: Record<string, string>): Promise<AuditEntryView[]> {
  const res = await superUser.get(`/audit?${new URLSearchParams(filters).toString()}`);
  if (res.status !== 200) throw new Error(`GET /api/audit failed: ${res.status} ${await res.text()}`);
  return (await bodyOf<AuditListResponse>(res)).items;
}
