import { useEffect, useRef, useState } from 'preact/hooks';
import type { MessageDetail } from '../../shared/message';
import type { SessionUser } from '../../shared/session';
import { runAction, type MessageAction } from '../api/actions';
import { ApiError, type ApiClient } from '../api/client';
import { useI18n } from '../i18n';
import { MessageBody } from './message-body';
import type { Status } from './status-bar';
import { WhyPanel } from './why-panel';

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1048576).toFixed(1)} MB`);

/** One quarantined message: who sent it, why it was held, its body (sandboxed), and what to do. */
export function MessageView({ client, user, id, notify, onBack }: { client: ApiClient; user: SessionUser; id: string; notify: (s: Status | null) => void; onBack: () => void }) {
  const { t, dateTime } = useI18n();
  const [detail, setDetail] = useState<MessageDetail | null>(null);
  const [busy, setBusy] = useState(false);
  const backRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    client.message(id).then(
      (d) => {
        setDetail(d);
        backRef.current?.focus();
      },
      (err: unknown) => notify({ kind: 'error', text: err instanceof ApiError ? err.message : t('error') }),
    );
  }, [client, id]);

  const act = async (action: MessageAction) => {
    setBusy(true);
    try {
      notify({ kind: 'success', text: t(await runAction(client, action, id)) });
      if (action === 'delete') {
        onBack();
        return;
      }
      setDetail(await client.message(id));
    } catch (err) {
      // A failed release shows amavisd's own answer, so the user (or their admin) knows why.
      const reply = err instanceof ApiError ? (err.details as { reply?: { code: number; enhanced?: string; text: string } } | undefined)?.reply : undefined;
      const text = reply ? `${err instanceof ApiError ? err.message : ''} ${t('amavisSaid', { reply: `${reply.code} ${reply.enhanced ?? ''} ${reply.text}` })}` : err instanceof ApiError ? err.message : t('error');
      notify({ kind: 'error', text });
    } finally {
      setBusy(false);
    }
  };

  // r releases, d deletes, q requests, as in the list (Esc, handled above, goes back).
  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).matches('input, textarea, select') || e.ctrlKey || e.metaKey || e.altKey || busy || !detail) return;
    const action = ({ r: 'release', d: 'delete', q: 'request' } as const)[e.key as 'r' | 'd' | 'q'];
    if (action) {
      e.preventDefault();
      void act(action);
    }
  };

  return (
    <section class="aq-message" aria-busy={!detail} onKeyDown={onKeyDown}>
      <div class="aq-msg-bar">
        <button type="button" class="aq-btn aq-back" ref={backRef} onClick={onBack}>
          ← {t('back')}
        </button>
        {detail && (
          <span class="aq-actions">
            {detail.item.status !== 'released' && (
              <button type="button" class="aq-btn aq-btn--primary" disabled={busy} onClick={() => act('release')}>
                {t('release')}
              </button>
            )}
            {user.role === 'user' && detail.item.status !== 'released' && detail.item.status !== 'requested' && (
              <button type="button" class="aq-btn" disabled={busy} onClick={() => act('request')}>
                {t('request')}
              </button>
            )}
            <button type="button" class="aq-btn aq-btn--danger" disabled={busy} onClick={() => act('delete')}>
              {t('delete')}
            </button>
          </span>
        )}
      </div>
      {!detail ? (
        <p class="aq-muted">{t('loading')}</p>
      ) : (
        <>
          <h3 class="aq-h3 aq-msg-subject">{detail.headers.subject || detail.item.subject || '—'}</h3>
          <dl class="aq-summary">
            <dt>{t('from')}</dt>
            <dd>{detail.headers.from || detail.item.headerFrom}</dd>
            <dt>{t('envelopeFrom')}</dt>
            <dd>{detail.item.envelopeFrom || '<>'}</dd>
            <dt>{t('to')}</dt>
            <dd>{detail.item.recipient}</dd>
            <dt>{t('date')}</dt>
            <dd>{dateTime(detail.item.receivedAt)}</dd>
          </dl>
          {detail.senderMismatch && (
            <p class="aq-status aq-status--warning" role="note">
              {t('mismatch')}
            </p>
          )}
          <WhyPanel detail={detail} />
          <MessageBody detail={detail} />
          {detail.attachments.length > 0 && (
            <section class="aq-attachments" aria-label={t('attachments')}>
              <h4 class="aq-h4">{t('attachments')}</h4>
              <ul>
                {detail.attachments.map((a) => (
                  <li key={a.sha256 + a.name}>
                    <span class="aq-attach-name">{a.name || '—'}</span> <span class="aq-muted">{a.type}, {size(a.size)}</span>{' '}
                    <code class="aq-muted" title={`sha256 ${a.sha256}`}>
                      {a.sha256.slice(0, 12)}…
                    </code>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <p>
            <a class="aq-link" href={client.rawUrl(id)} download>
              {t('download')}
            </a>
          </p>
        </>
      )}
    </section>
  );
}
