import { vi } from 'vitest';
import type { MessageDetail } from '../../shared/message';
import type { QuarantineItem } from '../../shared/quarantine';
import type { SessionResponse } from '../../shared/session';
import type { ApiClient } from '../api/client';

/** For unit tests only: an ApiClient whose endpoints are vi.fn()s that fail unless a test stubs them. */
export function fakeClient(overrides: Partial<Record<keyof ApiClient, unknown>> = {}): ApiClient & Record<string, ReturnType<typeof vi.fn>> {
  const unstubbed = (name: string) => vi.fn(() => Promise.reject(new Error(`unexpected call to ${name}`)));
  const names = [
    'health',
    'session',
    'signIn',
    'sso',
    'signOut',
    'list',
    'message',
    'release',
    'remove',
    'requestRelease',
    'batch',
    'batchWithProgress',
    'requests',
    'approve',
    'deny',
    'audit',
    'allowSender',
    'blockSender',
    'learn',
    'notSpam',
    'senderLists',
    'addSenderList',
    'removeSenderList',
    'policy',
    'savePolicy',
  ];
  const client = Object.fromEntries(names.map((n) => [n, unstubbed(n)]));
  return { base: '/api', rawUrl: (id: string) => `/api/messages/${id}/raw`, ...client, ...overrides } as unknown as ApiClient & Record<string, ReturnType<typeof vi.fn>>;
}

/** A listed message with the given fields. */
export const item = (fields: Partial<QuarantineItem> & { id: string }): QuarantineItem => ({
  receivedAt: '2026-01-02T10:00:00.000Z',
  envelopeFrom: 'spammer@example.net',
  headerFrom: 'Spammer <spammer@example.net>',
  recipient: 'alice@example.test',
  subject: `Subject ${fields.id}`,
  spamLevel: 12.5,
  type: 'spam',
  size: 1234,
  status: 'new',
  purgeInDays: 10,
  actions: ['release', 'delete'],
  ...fields,
});

/** The message view's answer for a listed message. */
export const detailOf = (listed: QuarantineItem): MessageDetail => ({
  item: listed,
  headers: { from: listed.headerFrom, to: listed.recipient, cc: '', replyTo: '', date: listed.receivedAt, subject: listed.subject, messageId: '<m@x>' },
  senderMismatch: false,
  reason: { type: listed.type, alerts: [], spamScore: listed.spamLevel, spamTests: [], auth: { spf: null, dkim: null, dmarc: null } },
  text: 'Hello.',
  html: null,
  remoteImages: 0,
  attachments: [],
  parseError: null,
});

/** A signed-in session of a plain user (or with other capabilities). */
export const sessionOf = (email: string, capabilities: Partial<SessionResponse['capabilities']> = {}): SessionResponse => ({
  user: { email, role: 'user', addresses: [email], domains: [] },
  capabilities: { decideRequests: false, readAudit: false, seesOthersMail: false, ...capabilities },
  csrfToken: 'token',
});
