import type { Ref } from 'preact';
import { MESSAGE_STATUSES, MESSAGE_TYPES } from '../../shared/quarantine';
import type { Filters } from '../hooks/use-quarantine-query';
import { useI18n } from '../i18n';

/** The list's search box and filters. Deleted copies are a filter only for those who see others' mail. */
export function ListFilters({
  filters,
  setFilter,
  showDeleted,
  searchRef,
  onSearchDown,
}: {
  filters: Filters;
  setFilter: (patch: Partial<Filters>) => void;
  showDeleted: boolean;
  searchRef: Ref<HTMLInputElement>;
  onSearchDown: () => void;
}) {
  const { t } = useI18n();
  const statuses = MESSAGE_STATUSES.filter((s) => showDeleted || s !== 'deleted');
  return (
    <form
      class="aq-toolbar"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const q = new FormData(e.currentTarget).get('q');
        setFilter({ q: typeof q === 'string' ? q : '' });
      }}
    >
      <input
        ref={searchRef}
        type="search"
        name="q"
        class="aq-input aq-search"
        placeholder={t('search')}
        aria-label={t('search')}
        defaultValue={filters.q}
        onKeyDown={(e) => {
          // From the search box, ArrowDown goes to the results.
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            onSearchDown();
          }
        }}
      />
      <select class="aq-input" aria-label={t('allTypes')} value={filters.type} onChange={(e) => setFilter({ type: e.currentTarget.value })}>
        <option value="">{t('allTypes')}</option>
        {MESSAGE_TYPES.map((type) => (
          <option key={type} value={type}>
            {t(`t_${type}`)}
          </option>
        ))}
      </select>
      <select class="aq-input" aria-label={t('allStatuses')} value={filters.status} onChange={(e) => setFilter({ status: e.currentTarget.value })}>
        <option value="">{t('allStatuses')}</option>
        {statuses.map((s) => (
          <option key={s} value={s}>
            {t(`s_${s}`)}
          </option>
        ))}
      </select>
      <input
        type="date"
        class="aq-input"
        aria-label={t('since')}
        title={t('since')}
        value={filters.since}
        onChange={(e) => setFilter({ since: e.currentTarget.value })}
      />
      <input
        type="date"
        class="aq-input"
        aria-label={t('until')}
        title={t('until')}
        value={filters.until}
        onChange={(e) => setFilter({ until: e.currentTarget.value })}
      />
      <select class="aq-input" aria-label={t('sortDate')} value={filters.sort} onChange={(e) => setFilter({ sort: e.currentTarget.value as Filters['sort'] })}>
        <option value="date">{t('sortDate')}</option>
        <option value="date-asc">{t('sortOldest')}</option>
        <option value="score">{t('sortScore')}</option>
        <option value="sender-asc">{t('sortSender')}</option>
        <option value="subject-asc">{t('sortSubject')}</option>
      </select>
    </form>
  );
}
