import type { QuarantineItem } from './quarantine';

export interface MessageAttachment {
  name: string;
  type: string;
  size: number;
  sha256: string;
  disposition: 'attachment' | 'inline' | null;
}

/** Why amavis held the message back. */
export interface QuarantineReason {
  type: QuarantineItem['type'];
  /** X-Amavis-Alert lines, e.g. "BANNED, message contains invoice.exe". */
  alerts: string[];
  spamScore: number | null;
  /** SpamAssassin tests from X-Spam-Status, highest first. */
  spamTests: Array<{ name: string; score: number }>;
  /** Results from Authentication-Results, when the receiving server added them. */
  auth: { spf: string | null; dkim: string | null; dmarc: string | null };
}

/** GET /api/messages/:id: one quarantined message, parsed and made safe to show. */
export interface MessageDetail {
  item: QuarantineItem;
  headers: {
    from: string;
    to: string;
    cc: string;
    replyTo: string;
    date: string;
    subject: string;
    messageId: string;
    /** Only with ?received=1: the Received chain, newest first. */
    received?: string[];
  };
  /** True when the envelope sender and the header From name different addresses (a spoofing sign). */
  senderMismatch: boolean;
  reason: QuarantineReason;
  text: string | null;
  /** Sanitized HTML; remote images are held back as data-aq-src until the user asks for them. */
  html: string | null;
  remoteImages: number;
  attachments: MessageAttachment[];
  /** Set when the message has more attachments than a view lists (200): how many are not listed. */
  attachmentsOmitted?: number;
  /** Set when the text (or the HTML) was cut to the view's bound (2 MiB characters). */
  bodyTruncated?: boolean;
  /**
   * Why the body is missing or simplified. Everything else (headers, why-panel, attachments, actions,
   * the raw download) is still there, and `text` is shown when `html` is null.
   * - `too_large`: the message is larger than AQ_MAX_PARSE_BYTES (no body, headers from amavis's
   *   record), or its HTML is larger than AQ_VIEW_MAX_HTML_BYTES or took more memory than
   *   AQ_VIEW_MEMORY_MB (`html` is null, `text` is shown);
   * - `too_complex`: the HTML nests too deeply (it is shown flattened: `html` is set) or has too many
   *   elements, or took longer than AQ_VIEW_TIMEOUT_MS (`html` is null);
   * - `malformed`: the MIME structure cannot be parsed (e.g. nested deeper than the parser allows):
   *   only amavis's record (sender, subject, date) and the raw download;
   * - `unparsable`: no longer sent (kept for older clients).
   */
  parseError: 'too_large' | 'unparsable' | 'too_complex' | 'malformed' | null;
}
