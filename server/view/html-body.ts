import type { MessageDetail } from '../../shared/message';
import { sanitizeMailHtml } from '../services/html-sanitizer';
import { scanHtml } from './html-scan';
import { VIEW_BOUNDS } from './view-limits';

/** The HTML half of a view: sanitized (or null), with why it is missing or simplified. */
export interface HtmlBody {
  html: string | null;
  remoteImages: number;
  parseError: MessageDetail['parseError'];
}

/**
 * Checks a message's HTML cheaply (size, element count, nesting) before the DOM parser sees it, then
 * sanitizes what passes. Runs in a view worker: the DOM parser's cost grows faster than the input.
 */
export function renderHtmlBody(html: string, maxHtmlBytes: number): HtmlBody {
  // Length in UTF-16 units is at most the UTF-8 byte count, so this never lets more through.
  if (html.length > maxHtmlBytes || Buffer.byteLength(html, 'utf8') > maxHtmlBytes) return { html: null, remoteImages: 0, parseError: 'too_large' };
  const scan = scanHtml(html, { maxDepth: VIEW_BOUNDS.htmlDepth, maxElements: VIEW_BOUNDS.htmlElements });
  if (scan.tooManyElements) return { html: null, remoteImages: 0, parseError: 'too_complex' };
  const sanitized = sanitizeMailHtml(scan.html);
  if (sanitized.html.length > VIEW_BOUNDS.bodyChars) return { html: null, remoteImages: 0, parseError: 'too_large' };
  return { ...sanitized, parseError: scan.flattened ? 'too_complex' : null };
}
