import { useState } from 'preact/hooks';
import type { MessageDetail } from '../../shared/message';
import { useI18n } from '../i18n';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The body in a sandboxed iframe: no allow-scripts, no allow-same-origin (a unique origin), and a CSP
 * that forbids every network load until the user asks for images. The server already sanitized the
 * HTML; this is the second wall.
 */
export function MessageBody({ detail }: { detail: MessageDetail }) {
  const { t } = useI18n();
  const [images, setImages] = useState(false);
  const html = detail.html ?? (detail.text !== null ? `<pre style="white-space:pre-wrap;font:13px/1.4 monospace">${escape(detail.text)}</pre>` : null);
  if (html === null) return <p class="aq-status aq-status--info">{t('noBody')}</p>;
  const shown = images ? html.replace(/\sdata-aq-src=/g, ' src=') : html;
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:${images ? ' https: http:' : ''}; font-src data:`;
  const srcdoc = `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="referrer" content="no-referrer"><base target="_blank"><style>body{margin:8px;font:14px/1.4 sans-serif;color:#222;background:#fff;word-wrap:break-word}img{max-width:100%}</style>${shown}`;
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
      <iframe
        class="aq-body-frame"
        title={detail.headers.subject || t('subject')}
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        referrerpolicy="no-referrer"
        srcdoc={srcdoc}
      />
    </div>
  );
}
