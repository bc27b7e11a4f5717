/**
 * The bounds of one message view. Mail is hostile and a spammer pays nothing for size or nesting, so
 * every part of a view has a ceiling: what is beyond it is cut (and flagged), never processed.
 * The pool's settings (workers, time, memory, HTML size) are in the config (AQ_VIEW_*); these are
 * the fixed ones, chosen well above what real mail needs.
 */
export const VIEW_BOUNDS = {
  /** Characters of the text body (and of the sanitized HTML) sent to the client. */
  bodyChars: 2 * 1024 * 1024,
  /** Attachments listed (the rest are counted in attachmentsOmitted). */
  attachments: 200,
  /** Characters of one header field (From, To, Cc, …) after decoding. */
  headerChars: 2000,
  /** Characters of the subject (RFC 5322's line length). */
  subjectChars: 998,
  /** Received lines, alerts and SpamAssassin tests listed. */
  received: 50,
  alerts: 20,
  spamTests: 100,
  /** Characters of an attachment's name or type. */
  nameChars: 255,
  /**
   * HTML nesting deeper than this is flattened before the DOM parser sees it: parse5's tree building
   * and DOMPurify's walk grow with depth times size (10,000 nested divs took over 36 s). Real
   * newsletters stay far below (Outlook's tables nest some 30 levels).
   */
  htmlDepth: 100,
  /** HTML with more elements than this is not parsed at all (the text part is shown instead). */
  htmlElements: 25_000,
} as const;

/** The pool's settings, from the config (server/config/view.ts). */
export interface ViewPoolSettings {
  /** Worker threads that parse and sanitize mail. */
  workers: number;
  /** How long one message may take in a worker before the worker is replaced. */
  timeoutMs: number;
  /** The old-generation heap limit of each worker, in MB. */
  memoryMb: number;
  /** Decoded HTML larger than this is not parsed (too_large); the text part is shown. */
  maxHtmlBytes: number;
}
