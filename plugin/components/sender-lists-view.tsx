import { useCallback, useEffect, useState } from 'preact/hooks';
import type { SenderListEntry, SenderListResponse } from '../../shared/sender-lists';
import type { SessionUser } from '../../shared/session';
import { errorText } from '../api/actions';
import type { ApiClient } from '../api/client';
import { useI18n, type I18n } from '../i18n';
import { SenderListForm } from './sender-list-form';
import type { Status } from './status-bar';

/** Whom an entry is for, in the user's words. */
const ownerText = (entry: SenderListEntry, t: I18n['t']) => (entry.for.kind === 'me' ? t('you') : entry.for.kind === 'everyone' ? t('everyone') : entry.for.key);

/** The allowed and blocked senders the user sees (their own, their domains', everyone's), to add and remove. */
export function SenderListsView({ client, user, notify }: { client: ApiClient; user: SessionUser; notify: (s: Status | null) => void }) {
  const { t } = useI18n();
  const [lists, setLists] = useState<SenderListResponse | null>(null);
  const load = useCallback(
    () =>
      client.senderLists().then(setLists, (err: unknown) => {
        setLists({ items: [], truncated: false });
        notify({ kind: 'error', text: errorText(err, t) });
      }),
    [client, notify, t],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const remove = async (entry: SenderListEntry) => {
    try {
      await client.removeSenderList(entry.id);
      notify({ kind: 'success', text: t('removed') });
    } catch (err) {
      notify({ kind: 'error', text: errorText(err, t) });
    }
    await load();
  };

  return (
    <section class="aq-senders" aria-label={t('senderLists')} aria-busy={!lists}>
      <SenderListForm
        client={client}
        user={user}
        onAdded={(change) => {
          notify({ kind: 'success', text: t(change.entry.list === 'block' ? 'blocked' : 'allowed', { sender: change.entry.sender }) });
          void load();
        }}
      />
      {!lists ? (
        <p class="aq-muted">{t('loading')}</p>
      ) : lists.items.length === 0 ? (
        <p class="aq-empty">{t('noEntries')}</p>
      ) : (
        <div class="aq-scroll">
          <table class="aq-table">
            <thead>
              <tr>
                <th scope="col">{t('sender')}</th>
                <th scope="col">{t('list')}</th>
                <th scope="col">{t('forWhom')}</th>
                <th scope="col">
                  <span class="aq-muted">{t('remove')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {lists.items.map((e) => (
                <tr key={e.id} data-aq-entry={e.sender}>
                  <td class="aq-wrap">{e.sender}</td>
                  <td class={`aq-list--${e.list}`}>{e.list === 'other' ? `${t('t_other')} (${e.wb})` : t(`l_${e.list}`)}</td>
                  <td title={e.for.key}>{ownerText(e, t)}</td>
                  <td>
                    <button type="button" class="aq-btn aq-btn--small" aria-label={`${t('remove')}: ${e.sender}`} onClick={() => void remove(e)}>
                      {t('remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {lists.truncated && <p class="aq-muted">{t('truncated')}</p>}
        </div>
      )}
    </section>
  );
}
