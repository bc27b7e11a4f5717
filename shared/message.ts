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
  /** Why the body is missing: the message is larger than AQ_MAX_PARSE_BYTES, or not parseable. */
  parseError: 'too_large' | 'unparsable' | null;
}
