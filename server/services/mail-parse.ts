import { createHash } from 'node:crypto';
import PostalMime from 'postal-mime';
import type { MessageAttachment, MessageDetail, QuarantineReason } from '../../shared/message';
import { htmlToPlainText } from '../view/html-text';
import { VIEW_BOUNDS } from '../view/view-limits';

type Address = { name?: string; address?: string; group?: Address[] };

/** What the parser makes of a quarantined message (the parts of MessageDetail that come from its text, but the HTML). */
export type ParsedMail = Omit<MessageDetail, 'item' | 'senderMismatch' | 'reason' | 'parseError' | 'html' | 'remoteImages'> & {
  reason: Omit<QuarantineReason, 'type'>;
  headerFromAddress: string;
  /** True when the message has no text part and `text` was made from its HTML (shown only without the HTML). */
  textFromHtml: boolean;
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

const clip = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}\u2026` : value);
const HEADER_END = /\r?\n\r?\n/;

/**
 * Raw 8-bit bytes in the header (forbidden, but common from old mailers) are decoded with the
 * message's charset, or windows-1252 (what latin-1 means in practice), and handed on as UTF-8: the
 * parser would otherwise read them as UTF-8 and show "Gr\ufffd\ufffde" where the list shows "Grüße".
 * Valid UTF-8 is left alone.
 */
export function utf8Headers(raw: Buffer): Buffer {
  const head = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  const end = HEADER_END.exec(head)?.index ?? head.length;
  const header = raw.subarray(0, end);
  if (!header.some((b) => b >= 0x80)) return raw;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(header);
    return raw;
  } catch {
    // not UTF-8: decode below
  }
  const unfolded = head.slice(0, end).replace(/\r?\n[ \t]+/g, ' ');
  const charset = /^content-type:[^\n]*?charset\s*=\s*"?([\w.:-]+)/im.exec(unfolded)?.[1]?.toLowerCase();
  let decoder = new TextDecoder('windows-1252');
  if (charset && !/^(utf-?8|us-ascii)$/.test(charset)) {
    try {
      decoder = new TextDecoder(charset);
    } catch {
      // an unknown charset name: windows-1252
    }
  }
  return Buffer.concat([Buffer.from(decoder.decode(header), 'utf8'), raw.subarray(end)]);
}

/**
 * Parses a message (as bytes) with postal-mime, within the view's bounds. The HTML comes back as it
 * is, for the sanitizer; everything else is ready to show.
 */
export async function parseMail(raw: Buffer, options: { withReceived: boolean }): Promise<{ mail: ParsedMail; html: string | null }> {
  const email = await PostalMime.parse(utf8Headers(raw), { attachmentEncoding: 'arraybuffer' });
  const header = (key: string) => email.headers.filter((h) => h.key === key).map((h) => clip(h.value.replace(/\s+/g, ' ').trim(), VIEW_BOUNDS.headerChars));
  const attachments: MessageAttachment[] = email.attachments.slice(0, VIEW_BOUNDS.attachments).map((a) => {
    const content = a.content instanceof ArrayBuffer ? Buffer.from(a.content) : Buffer.from(String(a.content ?? ''), 'utf8');
    return {
      name: clip(a.filename ?? '', VIEW_BOUNDS.nameChars),
      type: clip(a.mimeType ?? 'application/octet-stream', VIEW_BOUNDS.nameChars),
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      disposition: a.disposition === 'attachment' ? 'attachment' : a.disposition === 'inline' ? 'inline' : null,
    };
  });
  const spamStatus = header('x-spam-status')[0] ?? '';
  const score = /score=(-?[\d.]+)/.exec(spamStatus)?.[1];
  // An HTML-only message still has something to show when its HTML is too much for the view.
  const text = email.text ?? (email.html ? htmlToPlainText(email.html, VIEW_BOUNDS.bodyChars + 1) : null);
  const field = (value: string) => clip(value, VIEW_BOUNDS.headerChars);
  return {
    mail: {
      headers: {
        from: field(formatList(email.from)),
        to: field(formatList(email.to)),
        cc: field(formatList(email.cc)),
        replyTo: field(formatList(email.replyTo)),
        date: field(email.date ?? header('date')[0] ?? ''),
        subject: clip(email.subject ?? '', VIEW_BOUNDS.subjectChars),
        messageId: field(email.messageId ?? ''),
        ...(options.withReceived ? { received: header('received').slice(0, VIEW_BOUNDS.received) } : {}),
      },
      headerFromAddress: ((email.from as Address | undefined)?.address ?? '').toLowerCase().slice(0, VIEW_BOUNDS.headerChars),
      reason: {
        alerts: header('x-amavis-alert').slice(0, VIEW_BOUNDS.alerts),
        spamScore: score === undefined ? null : Number(score),
        spamTests: parseSpamTests(spamStatus).slice(0, VIEW_BOUNDS.spamTests),
        auth: parseAuthResults(header('authentication-results')),
      },
      text: text === null ? null : text.slice(0, VIEW_BOUNDS.bodyChars),
      textFromHtml: email.text === undefined && text !== null,
      attachments,
      ...(text !== null && text.length > VIEW_BOUNDS.bodyChars ? { bodyTruncated: true } : {}),
      ...(email.attachments.length > attachments.length ? { attachmentsOmitted: email.attachments.length - attachments.length } : {}),
    },
    html: email.html ?? null,
  };
}
