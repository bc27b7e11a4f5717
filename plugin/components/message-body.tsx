import { useState } from 'preact/hooks';
import type { MessageDetail } from '../../shared/message';
import { useI18n } from '../i18n';
import { bodyTheme, useDarkMode } from './body-theme';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

// Renames every link target (href, xlink:href) so that nothing can follow it. The sanitizer's output
// writes each attribute as ` name="value"`; the same text in the body's words only changes its look.
const inert = (html: string) => html.replace(/(\s)((?:xlink:)?href=)/gi, '$1data-aq-$2');

/**
 * The body in a sandboxed iframe: no allow-scripts, no allow-same-origin (a unique origin), and a CSP
 * that forbids every network load until the user asks for images. The server already sanitized the
 * HTML; this is the second wall. Links are inert and show where they lead, and nothing may open a
 * window, until the user enables links for this message: phishing lives on its links.
 */
export function MessageBody({ detail }: { detail: MessageDetail }) {
  const { t } = useI18n();
  const [images, setImages] = useState(false);
  const dark = useDarkMode();
  const [links, setLinks] = useState(false);
  const html = detail.html ?? (detail.text !== null ? `<pre style="white-space:pre-wrap;font:13px/1.4 monospace">${escape(detail.text)}</pre>` : null);
  if (html === null) return <p class="aq-status aq-status--info">{t('noBody')}</p>;
  const withImages = images ? html.replace(/\sdata-aq-src=/g, ' src=') : html;
  const shown = links ? withImages : inert(withImages);
  const linked = detail.html !== null && /\shref=/i.test(detail.html);
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:${images ? ' https: http:' : ''}; font-src data:`;
  // An inert link's target is muted as the widget's own secondary text: Elastic's #5d6c71 on white, the
  // dark theme's #9fb0b5 on #21292c (body-theme.ts, after this rule), both above 4.5:1.
  const srcdoc = `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="referrer" content="no-referrer"><base target="_blank"><style>body{margin:8px;font:14px/1.4 sans-serif;color:#222;background:#fff;word-wrap:break-word}img{max-width:100%}a[data-aq-href]{color:inherit;text-decoration:underline dotted}a[data-aq-href]::after{content:" <" attr(data-aq-href) ">";color:#5d6c71;font-size:12px;word-break:break-all}${bodyTheme(detail.html, dark)}</style>${shown}`;
  return (
    <div class="aq-bodywrap">
      {detail.remoteImages > 0 && !images && (
        <p class="aq-status aq-status--info">
          {t('imagesBlocked', { n: detail.remoteImages })}{' '}
          <button type="button" class="aq-btn aq-btn--small" onClick={() => setImages(true)}>
            {t('showImages')}
          </button>
        </p>
      )}
      {linked && !links && (
        <p class="aq-status aq-status--info">
          {t('linksOff')}{' '}
          <button type="button" class="aq-btn aq-btn--small" onClick={() => setLinks(true)}>
            {t('enableLinks')}
          </button>
        </p>
      )}
      <iframe
        // A new frame when links are enabled: a sandbox applies from the frame's next load.
        key={String(links)}
        class="aq-body-frame"
        title={detail.headers.subject || t('subject')}
        sandbox={links ? 'allow-popups allow-popups-to-escape-sandbox' : ''}
        referrerpolicy="no-referrer"
        srcdoc={srcdoc}
      />
    </div>
  );
}
