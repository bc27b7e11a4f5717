import { useEffect, useState } from 'preact/hooks';
import type { AuditEntryView } from '../../shared/audit';
import type { ApiClient } from '../api/client';
import { useI18n } from '../i18n';

/** Super users: the newest audit entries, amavisd's replies included. */
export function AuditView({ client }: { client: ApiClient }) {
  const { t, date } = useI18n();
  const [items, setItems] = useState<AuditEntryView[] | null>(null);
  useEffect(() => {
    client.audit().then(
      (r) => setItems(r.items),
      () => setItems([]),
    );
  }, [client]);
  if (!items) return <p class="aq-muted">{t('loading')}</p>;
  return (
    <div class="aq-scroll">
      <table class="aq-table">
        <thead>
          <tr>
            <th scope="col">{t('date')}</th>
            <th scope="col">{t('actor')}</th>
            <th scope="col">{t('action')}</th>
            <th scope="col">{t('recipient')}</th>
            <th scope="col">{t('result')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id} class={`aq-audit--${e.result}`}>
              <td>{date(e.at)}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td>{e.recipient ?? ''}</td>
              <td title={e.reply ?? ''}>
                {e.result}
                {e.reply ? `: ${e.reply}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
