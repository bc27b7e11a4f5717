import type { MessageDetail } from '../../shared/message';
import { useI18n } from '../i18n';
import { MessageBody } from './message-body';
import { WhyPanel } from './why-panel';

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1048576).toFixed(1)} MB`);

/** What the message view shows of a loaded message: headers, why it was held, the body, attachments. */
export function MessageDetails({ detail, onReleaseAgain }: { detail: MessageDetail; onReleaseAgain?: () => void }) {
  const { t, dateTime } = useI18n();
  return (
    <>
      <h3 class="aq-h3 aq-msg-subject" title={detail.headers.subject || detail.item.subject}>
        {detail.headers.subject || detail.item.subject || '—'}
      </h3>
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
      {detail.item.releaseState && (
        <p class="aq-status aq-status--warning" role="note">
          {t('relUnknown', { time: dateTime(detail.item.releaseState.sentAt) })}{' '}
          {onReleaseAgain && detail.item.actions.includes('release') && (
            <button type="button" class="aq-btn aq-btn--small" onClick={onReleaseAgain}>
              {t('releaseAgain')}
            </button>
          )}
        </p>
      )}
      <WhyPanel detail={detail} />
      {detail.parseError && detail.parseError !== 'unparsable' && (
        <p class="aq-status aq-status--info" role="note" data-aq-parse-error={detail.parseError}>
          {t(`parse_${detail.parseError}`)}
        </p>
      )}
      {detail.bodyTruncated && <p class="aq-status aq-status--info">{t('bodyTruncated')}</p>}
      <MessageBody detail={detail} />
      {detail.attachments.length > 0 && (
        <section class="aq-attachments" aria-label={t('attachments')}>
          <h4 class="aq-h4">{t('attachments')}</h4>
          <ul>
            {detail.attachments.map((a) => (
              <li key={a.sha256 + a.name}>
                <span class="aq-attach-name">{a.name || '—'}</span>{' '}
                <span class="aq-muted">
                  {a.type}, {size(a.size)}
                </span>{' '}
                <code class="aq-muted" title={`sha256 ${a.sha256}`}>
                  {a.sha256.slice(0, 12)}…
                </code>
              </li>
            ))}
          </ul>
          {detail.attachmentsOmitted ? <p class="aq-muted">{t('attachmentsOmitted', { n: detail.attachmentsOmitted })}</p> : null}
        </section>
      )}
    </>
  );
}
