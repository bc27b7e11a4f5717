import type { DigestLanguage } from '../../shared/digest';
import type { QuarantineItem } from '../../shared/quarantine';
import { escapeHtml } from '../presenters/self-service-page';
import { PAGE_STRINGS } from '../presenters/self-service-strings';
import { DIGEST_STRINGS } from './digest-strings';

/** The actions a digest entry links to; each link opens a confirmation page (GET shows, POST acts). */
export type DigestLinkAction = 'release' | 'request' | 'delete' | 'allow' | 'block';

/** One listed copy, with its signed links (none without AQ_API_URL and AQ_LINK_SECRET). */
export interface DigestEntry {
  item: QuarantineItem;
  links: Partial<Record<DigestLinkAction, string>>;
  /** Listed before in a digest whose delivery was not confirmed. */
  again?: boolean;
}

export interface DigestContent {
  language: DigestLanguage;
  entries: DigestEntry[];
  /** Copies in the window beyond the listed ones. */
  more: number;
  /** The webmail page with the widget (AQ_PUBLIC_URL). */
  webmailUrl?: string | undefined;
}

const ORDER: DigestLinkAction[] = ['release', 'request', 'delete', 'allow', 'block'];
const MAX_TEXT = 160;

/**
 * Text from quarantined mail as one safe line: no control characters (a CR/LF would start a line, or a
 * header, of its own), no bidi overrides (which make `exe.pdf` read as `fdp.exe`), and a bounded length.
 */
export const oneLine = (value: string): string => {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const flat = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1)}…` : flat;
};

const scoreOf = (item: QuarantineItem) => (item.spamLevel === null ? '–' : item.spamLevel.toFixed(1));
const senderOf = (item: QuarantineItem) => oneLine(item.headerFrom || item.envelopeFrom || '<>');

/** The subject, text and HTML of one digest. Pure: the same content gives the same mail. */
export function composeDigest(content: DigestContent): { subject: string; text: string; html: string } {
  const t = DIGEST_STRINGS[content.language];
  const types = PAGE_STRINGS[content.language].types;
  const total = content.entries.length + content.more;
  const subject = t.subject(total);

  const text: string[] = [t.heading, '', t.intro(total), ''];
  for (const [i, { item, links, again }] of content.entries.entries()) {
    text.push(`${i + 1}. ${oneLine(item.subject) || t.noSubject}`);
    text.push(`   ${t.from}: ${senderOf(item)}`);
    text.push(`   ${t.type}: ${types[item.type]} · ${t.score}: ${scoreOf(item)} · ${t.purgedIn(item.purgeInDays)}`);
    if (again) text.push(`   ${t.unconfirmed}`);
    for (const action of ORDER) if (links[action]) text.push(`   ${t.actions[action]}: ${links[action]}`);
    text.push('');
  }
  if (content.more > 0) text.push(t.more(content.more), '');
  if (content.webmailUrl) text.push(`${t.open}: ${content.webmailUrl}`, '');
  text.push('--', t.footer);

  const cell = 'padding:8px 10px;border-bottom:1px solid #ddd;vertical-align:top;';
  const link = 'color:#0b7fc7;text-decoration:underline;margin-right:12px;white-space:nowrap;';
  const rows = content.entries.map(({ item, links, again }) => {
    const actions = ORDER.filter((a) => links[a])
      .map((a) => `<a href="${escapeHtml(links[a] ?? '')}" style="${link}">${escapeHtml(t.actions[a])}</a>`)
      .join(' ');
    return `<tr>
<td style="${cell}"><div style="font-weight:bold;">${escapeHtml(oneLine(item.subject) || t.noSubject)}</div>
<div style="color:#555;">${escapeHtml(t.from)}: ${escapeHtml(senderOf(item))}</div>
${again ? `<div style="color:#8a6d00;">${escapeHtml(t.unconfirmed)}</div>` : ''}<div style="margin-top:6px;">${actions}</div></td>
<td style="${cell}white-space:nowrap;">${escapeHtml(types[item.type])}</td>
<td style="${cell}text-align:right;">${escapeHtml(scoreOf(item))}</td>
<td style="${cell}color:#555;white-space:nowrap;">${escapeHtml(t.purgedIn(item.purgeInDays))}</td>
</tr>`;
  });
  const th = 'text-align:left;padding:6px 10px;border-bottom:2px solid #ddd;color:#555;font-weight:normal;';
  const more = content.more > 0 ? `<p style="margin:12px 0;">${escapeHtml(t.more(content.more))}</p>` : '';
  const open = content.webmailUrl
    ? `<p style="margin:16px 0;"><a href="${escapeHtml(content.webmailUrl)}" style="display:inline-block;background:#37beff;color:#fff;padding:8px 16px;border-radius:4px;text-decoration:none;">${escapeHtml(t.open)}</a></p>`
    : '';
  const html = `<!doctype html>
<html lang="${content.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:16px;background:#f4f4f4;font:14px/1.5 Roboto,'Helvetica Neue',Arial,sans-serif;color:#2c363a;">
<div style="max-width:760px;margin:0 auto;background:#fff;border:1px solid #ddd;border-radius:4px;padding:16px 20px;">
<h1 style="font-size:18px;margin:0 0 8px;">${escapeHtml(t.heading)}</h1>
<p style="margin:0 0 12px;">${escapeHtml(t.intro(total))}</p>
<table role="presentation" style="border-collapse:collapse;width:100%;">
<tr><th style="${th}">${escapeHtml(t.subjectLabel)}</th><th style="${th}">${escapeHtml(t.type)}</th><th style="${th}text-align:right;">${escapeHtml(t.score)}</th><th style="${th}"></th></tr>
${rows.join('\n')}
</table>
${more}${open}<p style="margin:16px 0 0;color:#6a737d;font-size:12px;">${escapeHtml(t.footer)}</p>
</div></body></html>`;
  return { subject, text: text.join('\n'), html };
}
