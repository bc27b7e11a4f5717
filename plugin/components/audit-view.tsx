import { useEffect, useState } from 'preact/hooks';
import { AUDIT_ACTIONS, type AuditEntryView } from '../../shared/audit';
import type { ApiClient } from '../api/client';
import { useI18n } from '../i18n';

const DAY_MS = 86_400_000;

/**
 * Super users: the audit log, newest first, amavisd's replies included. Filters by who, what and when;
 * pages back by id (the API's `before`), remembering the pages seen so that "Newer" goes forward again.
 */
export function AuditView({ client }: { client: ApiClient }) {
  const { t, date } = useI18n();
  const [filter, setFilter] = useState({ actor: '', action: '', since: '', until: '' });
  // The `before` of each page shown so far: the last is the current page's.
  const [pages, setPages] = useState<Array<number | undefined>>([undefined]);
  const [page, setPage] = useState<{ items: AuditEntryView[]; next: number | null } | null>(null);
  const before = pages.at(-1);
  useEffect(() => {
    setPage(null);
    // `until` is a day the admin includes; the API's bound is exclusive.
    const until = filter.until ? new Date(Date.parse(filter.until) + DAY_MS).toISOString().slice(0, 10) : '';
    // An answer to filters the admin has since changed must not replace the newer one's, whichever comes last.
    let current = true;
    client.audit({ ...filter, until, before }).then(
      (r) => current && setPage({ items: r.items, next: r.nextBefore }),
      () => current && setPage({ items: [], next: null }),
    );
    return () => {
      current = false;
    };
  }, [client, filter, before]);
  const set = (patch: Partial<typeof filter>) => {
    setFilter((f) => ({ ...f, ...patch }));
    setPages([undefined]);
  };
  const day = (key: 'since' | 'until') => (
    <label class="aq-date">
      {t(key)}
      <input type="date" class="aq-input" value={filter[key]} onChange={(e) => set({ [key]: e.currentTarget.value })} />
    </label>
  );

  return (
    <section class="aq-audit" aria-busy={!page}>
      <form
        class="aq-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          const actor = new FormData(e.currentTarget).get('actor');
          set({ actor: typeof actor === 'string' ? actor.trim() : '' });
        }}
      >
        <input type="search" name="actor" class="aq-input aq-search" aria-label={t('actor')} placeholder={t('actor')} defaultValue={filter.actor} />
        <select class="aq-input" aria-label={t('action')} value={filter.action} onChange={(e) => set({ action: e.currentTarget.value })}>
          <option value="">{t('allActions')}</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        {day('since')}
        {day('until')}
      </form>
      {!page ? (
        <p class="aq-muted">{t('loading')}</p>
      ) : (
        <div class="aq-scroll" role="region" aria-label={t('audit')} tabIndex={0}>
          <table class="aq-table">
            <thead>
              <tr>
                <th scope="col">{t('date')}</th>
                <th scope="col">{t('actor')}</th>
                <th scope="col">{t('action')}</th>
                <th scope="col">{t('subject')}</th>
                <th scope="col">{t('recipient')}</th>
                <th scope="col">{t('result')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((e) => (
                <tr key={e.id} class={`aq-audit--${e.result}`}>
                  <td>{date(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>{e.action}</td>
                  <td class="aq-wrap">{e.subject}</td>
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
      )}
      <p class="aq-actions aq-pager">
        <button type="button" class="aq-btn" disabled={pages.length < 2} onClick={() => setPages(pages.slice(0, -1))}>
          {t('newer')}
        </button>
        <button type="button" class="aq-btn" disabled={!page?.next} onClick={() => page?.next && setPages([...pages, page.next])}>
          {t('older')}
        </button>
      </p>
    </section>
  );
}
