import { createHash } from 'node:crypto';
import PostalMime from 'postal-mime';
import type { MessageAttachment, MessageDetail, QuarantineReason } from '../../shared/message';
import { sanitizeMailHtml } from './html-sanitizer';

type Address = { name?: string; address?: string; group?: Address[] };

/** What the parser makes of a quarantined message (the parts of MessageDetail that come from its text). */
export type ParsedMail = Omit<MessageDetail, 'item' | 'senderMismatch' | 'reason' | 'parseError'> & {
  reason: Omit<QuarantineReason, 'type'>;
  headerFromAddress: string;
};

const formatAddress = (a: Address): string =>
  a.group ? `${a.name ?? ''}: ${a.group.map(formatAddress).join(', ')};` : a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? '');
const formatList = (list: Address[] | Address | undefined) => (Array.isArray(list) ? list : list ? [list] : []).map(formatAddress).join(', ');

/** `tests=[GTUBE=1000, NO_RECEIVED=-0.001]` (amavis's form) or `tests=GTUBE,NO_RECEIVED` (SpamAssassin's). */
export function parseSpamTests(status: string): Array<{ name: string; score: number }> {
  const unfolded = status.replace(/\s+/g, ' ');
  const m = /tests=\[([^\]]*)\]/.exec(unfolded) ?? /tests=(\S+)/.exec(unfolded);
  if (!m?.[1]) return [];
  return m[1]
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const [name, score] = t.split('=');
      return { name: name ?? t, score: score === undefined ? 0 : Number(score) };
    })
    .filter((t) => /^[A-Za-z0-9_.-]+$/.test(t.name) && Number.isFinite(t.score))
    .sort((a, b) => b.score - a.score);
}

/** The spf, dkim and dmarc results of the first Authentication-Results header that has them. */
export function parseAuthResults(values: string[]): QuarantineReason['auth'] {
  const auth: QuarantineReason['auth'] = { spf: null, dkim: null, dmarc: null };
  for (const value of values) {
    for (const method of ['spf', 'dkim', 'dmarc'] as const) {
      const m = new RegExp(`\\b${method}=([a-z]+)`, 'i').exec(value);
      if (m?.[1] && !auth[method]) auth[method] = m[1].toLowerCase();
    }
  }
  return auth;
}

/** Parses a message (as bytes) with postal-mime; HTML comes back sanitized. */
export async function parseMail(raw: Buffer, options: { withReceived: boolean }): Promise<ParsedMail> {
  const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
  const header = (key: string) => email.headers.filter((h) => h.key === key).map((h) => h.value.replace(/\s+/g, ' ').trim());
  const sanitized = email.html ? sanitizeMailHtml(email.html) : undefined;
  const attachments: MessageAttachment[] = email.attachments.map((a) => {
    const content = a.content instanceof ArrayBuffer ? Buffer.from(a.content) : Buffer.from(String(a.content ?? ''), 'utf8');
    return {
      name: a.filename ?? '',
      type: a.mimeType ?? 'application/octet-stream',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      disposition: a.disposition === 'attachment' ? 'attachment' : a.disposition === 'inline' ? 'inline' : null,
    };
  });
  const spamStatus = header('x-spam-status')[0] ?? '';
  const score = /score=(-?[\d.]+)/.exec(spamStatus)?.[1];
  return {
    headers: {
      from: formatList(email.from),
      to: formatList(email.to),
      cc: formatList(email.cc),
      replyTo: formatList(email.replyTo),
      date: email.date ?? header('date')[0] ?? '',
      subject: email.subject ?? '',
      messageId: email.messageId ?? '',
      ...(options.withReceived ? { received: header('received') } : {}),
    },
    headerFromAddress: ((email.from as Address | undefined)?.address ?? '').toLowerCase(),
    reason: {
      alerts: header('x-amavis-alert'),
      spamScore: score === undefined ? null : Number(score),
      spamTests: parseSpamTests(spamStatus),
      auth: parseAuthResults(header('authentication-results')),
    },
    text: email.text ?? null,
    html: sanitized?.html ?? null,
    remoteImages: sanitized?.remoteImages ?? 0,
    attachments,
  };
}
