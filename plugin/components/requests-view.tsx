import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ReleaseRequestView } from '../../shared/requests';
import { errorText } from '../api/actions';
import type { ApiClient } from '../api/client';
import { approvalWarning } from '../api/risks';
import type { PendingAction } from '../hooks/use-message-actions';
import { useI18n } from '../i18n';
import { ConfirmBar } from './confirm-bar';
import type { Status } from './status-bar';

/**
 * Admins: pending release requests of their domains, to approve or deny with a note. `linked` is the
 * request a notification mail links to: it is scrolled to and focused, or said to be decided already.
 * Approving a virus, a blocked attachment or a forged sender releases it only after a confirmation that
 * names the risk.
 */
export function RequestsView({
  client,
  notify,
  linked,
  onOpen,
}: {
  client: ApiClient;
  notify: (s: Status | null) => void;
  linked?: number | undefined;
  /** Opens the message a request is about. */
  onOpen?: (messageId: string) => void;
}) {
  const { t, date } = useI18n();
  const [items, setItems] = useState<ReleaseRequestView[] | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const shownRef = useRef(false);
  // The risky approval waiting for the admin's confirmation.
  const [asking, setAsking] = useState<{ request: ReleaseRequestView; pending: PendingAction } | null>(null);
  const load = useCallback(
    () =>
      client.requests().then(
        (r) => setItems(r.items),
        () => setItems([]),
      ),
    [client],
  );
  useEffect(() => {
    void load();
  }, [load]);

  // Once, on the first list: later reloads (after a decision) must not jump back.
  useEffect(() => {
    if (!items || !linked || shownRef.current) return;
    shownRef.current = true;
    const entry = listRef.current?.querySelector(`[data-aq-request="${linked}"]`);
    if (!entry) return notify({ kind: 'info', text: t('requestGone') });
    entry.scrollIntoView({ block: 'center' });
    entry.querySelector<HTMLInputElement>('input')?.focus();
  }, [items, linked, notify, t]);

  const decide = async (request: ReleaseRequestView, approve: boolean, note: string) => {
    try {
      if (approve) await client.approve(request.id);
      else await client.deny(request.id, note);
      notify({ kind: 'success', text: t(approve ? 'approved' : 'denied') });
      await load();
    } catch (err) {
      notify({ kind: 'error', text: errorText(err, t) });
    }
  };

  if (!items) return <p class="aq-muted">{t('loading')}</p>;
  if (items.length === 0) return <p class="aq-empty">{t('noRequests')}</p>;
  return (
    <ul class="aq-requests" ref={listRef}>
      {items.map((r) => (
        <li key={r.id} class="aq-request" data-aq-request={r.id} aria-current={r.id === linked || undefined}>
          <p class="aq-request__head">
            {r.type && <span class={`aq-badge aq-badge--${r.type}`}>{t(`t_${r.type}`)}</span>}
            {r.spamLevel != null && (r.type === 'spam' || r.type === 'spammy') && <span class="aq-score">{(Math.round(r.spamLevel * 10) / 10 || 0).toFixed(1)}</span>}
            <button type="button" class="aq-btn aq-btn--link aq-request__open" onClick={() => onOpen?.(r.messageId)}>
              {r.subject || '—'}
            </button>
          </p>
          <p class="aq-muted">
            {t('recipient')}: {r.recipient} · {t('requester')}: {r.requester} · {date(r.createdAt)}
          </p>
          {r.requestNote && (
            <p class="aq-request-note">
              {t('reason')}: {r.requestNote}
            </p>
          )}
          <form
            class="aq-decide"
            onSubmit={(e) => {
              e.preventDefault();
              const approve = (e as SubmitEvent).submitter?.getAttribute('value') === 'approve';
              const risk = approve ? approvalWarning(r, t) : undefined;
              if (risk) return setAsking({ request: r, pending: { action: 'release', ids: [r.messageId], text: risk } });
              void decide(r, approve, (new FormData(e.currentTarget).get('note') as string | null) ?? '');
            }}
          >
            <input class="aq-input" name="note" aria-label={t('note')} placeholder={t('note')} />
            <button type="submit" value="approve" class="aq-btn aq-btn--primary">
              {t('approve')}
            </button>
            <button type="submit" value="deny" class="aq-btn aq-btn--danger">
              {t('deny')}
            </button>
          </form>
          {asking?.request.id === r.id && (
            <ConfirmBar
              pending={asking.pending}
              onCancel={() => setAsking(null)}
              onConfirm={() => {
                setAsking(null);
                void decide(r, true, '');
              }}
            />
          )}
        </li>
      ))}
    </ul>
  );
}
