import { createHash } from 'node:crypto';
import type { QuarantineItem } from '../../shared/quarantine';
import { PAGE_STRINGS, type PageLocale, type PageStrings } from './self-service-strings';

/*
 * The small page a self-service link opens. Quarantined mail is hostile: every value is escaped, and the
 * page needs no script, so its CSP allows none (the one stylesheet is pinned by its hash), no loads from
 * anywhere, and form posts only back to us.
 */

const CSS = `:root{color-scheme:light dark;--aq-accent:#37beff;--aq-border:#ddd;--aq-error:#ff5552;--aq-success:#41b849}
body{font:14px/1.5 Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;padding:24px;background:#f4f4f4;color:#2c363a}
main{max-width:640px;margin:0 auto;background:#fff;border:1px solid var(--aq-border);border-radius:4px;padding:20px 24px}
h1{font-size:18px;margin:0 0 4px}p{margin:8px 0}dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:16px 0}
dt{color:#6a737d}dd{margin:0;overflow-wrap:anywhere}form{display:flex;flex-wrap:wrap;gap:8px;margin-top:16px}
button{font:inherit;padding:6px 14px;border:1px solid var(--aq-border);border-radius:4px;background:#fff;color:inherit;cursor:pointer}
button.primary{background:var(--aq-accent);border-color:var(--aq-accent);color:#fff}button:focus-visible{outline:2px solid var(--aq-accent);outline-offset:2px}
.ok{border-left:4px solid var(--aq-success);padding-left:10px}.error{border-left:4px solid var(--aq-error);padding-left:10px}
@media (prefers-color-scheme:dark){body{background:#21292c;color:#c5d1d3}main{background:#2c363a;border-color:#4d6066}dt{color:#8fa0a5}button{background:#2c363a;border-color:#4d6066}}`;

/** The Content-Security-Policy of every self-service page: no scripts, no loads, forms only to ourselves. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(locale: PageLocale, heading: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="same-origin"><meta name="robots" content="noindex,nofollow">
<title>${escapeHtml(heading)}</title><style>${CSS}</style></head>
<body><main>${body}</main></body></html>`;
}

function summary(t: PageStrings, locale: PageLocale, item: QuarantineItem): string {
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(item.receivedAt));
  const rows: Array<[string, string]> = [
    [t.from, item.headerFrom || item.envelopeFrom],
    [t.subject, item.subject || t.noSubject],
    [t.date, `${date} UTC`],
    [t.type, t.types[item.type]],
    [t.recipient, item.recipient],
    [t.status, t.statuses[item.status]],
  ];
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

const PAGE_ACTIONS = ['release', 'request', 'delete', 'allow', 'block'] as const;
/** An action a self-service page offers and performs. */
export type PageAction = (typeof PAGE_ACTIONS)[number];

/**
 * The message's summary and a form with the actions its item allows. The form carries the signed token
 * itself (no cookie grants anything here), so a forged cross-site form would need the token already.
 */
export function renderLinkPage(locale: PageLocale, item: QuarantineItem, token: string | undefined, formAction: string, chosen?: PageAction): string {
  const t = PAGE_STRINGS[locale];
  // Allow and block are the recipient's own lists, offered with any signed link of a copy that has a sender.
  const hasSender = Boolean(item.envelopeFrom || item.headerFrom);
  const offered = PAGE_ACTIONS.filter((a) => (a === 'allow' || a === 'block' ? hasSender && item.actions.length > 0 : item.actions.includes(a)));
  // The action the link was made for (a digest's "Block sender") comes first, as the primary button.
  const allowed = chosen && offered.includes(chosen) ? [chosen, ...offered.filter((a) => a !== chosen)] : offered;
  let actions: string;
  if (!token) actions = `<p>${escapeHtml(t.viewOnly)}</p>`;
  else if (allowed.length === 0) actions = `<p>${escapeHtml(t.noActions)}</p>`;
  else {
    const buttons = allowed.map((a, i) => `<button type="submit" name="action" value="${a}"${i === 0 ? ' class="primary"' : ''}>${escapeHtml(t.actions[a])}</button>`);
    actions = `<form method="post" action="${escapeHtml(formAction)}"><input type="hidden" name="token" value="${escapeHtml(token)}">${buttons.join('')}</form>`;
  }
  return page(locale, t.title, `<h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(t.intro)}</p>${summary(t, locale, item)}${actions}`);
}

/** The page after an action: what happened, in the user's words. */
export function renderOutcomePage(locale: PageLocale, action: PageAction): string {
  const t = PAGE_STRINGS[locale];
  return page(locale, t.title, `<h1>${escapeHtml(t.title)}</h1><p class="ok" role="status">${escapeHtml(t.done[action])}</p>`);
}

/** The page for a refused or failed link, by the error's code. */
export function renderErrorPage(locale: PageLocale, code: string, reason?: string): string {
  const t = PAGE_STRINGS[locale];
  const key: keyof PageStrings['errors'] =
    code === 'not_found' && (reason === 'expired' || reason === 'invalid' || reason === 'gone')
      ? reason
      : code === 'not_found' || code === 'conflict' || code === 'gone' || code === 'too_many_attempts' || code === 'forbidden'
        ? code
        : code === 'csrf_failed'
          ? 'forbidden'
          : ['amavis_unavailable', 'release_failed', 'busy'].includes(code)
            ? 'unavailable'
            : 'other';
  return page(locale, t.failed, `<h1>${escapeHtml(t.failed)}</h1><p class="error" role="alert">${escapeHtml(t.errors[key])}</p>`);
}
