import type { MessageDetail } from '../../shared/message';
import { shownScore } from '../api/risks';
import { useI18n } from '../i18n';

/** Why amavis held the message back: its kind, amavis's alerts, the spam score and rules, sender checks. */
export function WhyPanel({ detail }: { detail: MessageDetail }) {
  const { t } = useI18n();
  const { reason } = detail;
  const auth = Object.entries(reason.auth).filter(([, v]) => v);
  // A virus has no spam score (amavis stores 0): "Spam score: 0.0" would read as "harmless".
  const score = shownScore(reason.type, reason.spamScore);
  return (
    <details class="aq-why" open>
      <summary>{t('why')}</summary>
      <p>
        <span class={`aq-badge aq-badge--${reason.type}`}>{t(`t_${reason.type}`)}</span>
        {score !== null && (
          <span class="aq-score">
            {' '}
            {t('score')}: {score.toFixed(1)}
          </span>
        )}
      </p>
      {reason.alerts.map((alert) => (
        <p key={alert} class="aq-alert">
          {alert}
        </p>
      ))}
      {reason.spamTests.length > 0 && (
        <p>
          <span class="aq-muted">{t('tests')}: </span>
          {reason.spamTests.slice(0, 12).map((test) => (
            <code key={test.name} class="aq-test">
              {test.name} {test.score > 0 ? '+' : ''}
              {test.score}
            </code>
          ))}
        </p>
      )}
      {auth.length > 0 && (
        <p>
          <span class="aq-muted">{t('auth')}: </span>
          {auth.map(([k, v]) => (
            <span key={k} class={`aq-badge aq-auth--${v === 'pass' ? 'pass' : 'fail'}`}>
              {k.toUpperCase()} {v}
            </span>
          ))}
        </p>
      )}
    </details>
  );
}
