import { useState } from 'preact/hooks';
import type { MessageDetail } from '../../shared/message';
import type { QuarantineItem } from '../../shared/quarantine';
import { errorText } from '../api/actions';
import type { ApiClient } from '../api/client';
import { warningFor } from '../api/risks';
import { useI18n } from '../i18n';
import type { Status } from './status-bar';

type Target = { to: string } | { allRecipients: true };

/**
 * Admins: release to another address, or to every recipient the message was held for, when the server
 * offers it (`release_to`, `release_all`). Each asks first, naming where the mail will go and the
 * message's risk (a virus, a blocked attachment, phishing); the answer says per address whether it was delivered.
 */
export function AdminRelease({
  client,
  item,
  detail,
  notify,
  onDone,
}: {
  client: ApiClient;
  item: QuarantineItem;
  detail?: MessageDetail | undefined;
  notify: (s: Status | null) => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const [asking, setAsking] = useState<Target | null>(null);
  const [busy, setBusy] = useState(false);
  // Kept across a Cancel: the address typed is still there.
  const [to, setTo] = useState('');
  const canTo = item.actions.includes('release_to');
  const canAll = item.actions.includes('release_all');
  if (!canTo && !canAll) return null;
  const risk = warningFor('release', [item], t, detail);

  const run = async (target: Target) => {
    setBusy(true);
    try {
      const { results } = await client.releaseAs(item.id, target);
      const sent = results.filter((r) => r.delivered).map((r) => r.recipient);
      const failed = results.filter((r) => !r.delivered).map((r) => r.recipient);
      notify({
        kind: failed.length ? 'error' : 'success',
        text: [sent.length ? t('releasedTo', { to: sent.join(', ') }) : '', failed.length ? t('notDeliveredTo', { to: failed.join(', ') }) : ''].join(' ').trim(),
      });
      onDone();
    } catch (err) {
      notify({ kind: 'error', text: errorText(err, t) });
    } finally {
      setBusy(false);
      setAsking(null);
    }
  };

  return (
    <details class="aq-why aq-admin-release">
      <summary>{[canTo && t('releaseTo'), canAll && t('releaseAll')].filter(Boolean).join(' · ')}</summary>
      {asking ? (
        <div class="aq-confirm aq-status aq-status--warning" role="alertdialog" aria-labelledby="aq-release-as">
          <p id="aq-release-as">{['to' in asking ? t('confirmReleaseTo', { to: asking.to }) : t('confirmReleaseAll'), risk].filter(Boolean).join(' ')}</p>
          <span class="aq-actions">
            <button type="button" class="aq-btn" ref={(b) => b?.focus()} disabled={busy} onClick={() => setAsking(null)}>
              {t('cancel')}
            </button>
            <button type="button" class="aq-btn aq-btn--danger" data-aq-confirm-yes disabled={busy} onClick={() => void run(asking)}>
              {risk ? t('releaseAnyway') : t('release')}
            </button>
          </span>
        </div>
      ) : (
        <form
          class="aq-decide"
          onSubmit={(e) => {
            e.preventDefault();
            if (to.trim()) setAsking({ to: to.trim() });
          }}
        >
          {canTo && (
            <>
              <input
                value={to}
                onInput={(e) => setTo(e.currentTarget.value)}
                type="email"
                required
                class="aq-input"
                name="to"
                aria-label={t('releaseTo')}
                placeholder="name@example.com"
              />
              <button type="submit" class="aq-btn" data-aq-release-to>
                {t('release')}
              </button>
            </>
          )}
          {canAll && (
            <button type="button" class="aq-btn" data-aq-release-all onClick={() => setAsking({ allRecipients: true })}>
              {t('releaseAll')}
            </button>
          )}
        </form>
      )}
    </details>
  );
}
