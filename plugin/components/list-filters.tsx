import type { Ref } from 'preact';
import { useState } from 'preact/hooks';
import { MESSAGE_STATUSES, MESSAGE_TYPES } from '../../shared/quarantine';
import type { Filters } from '../hooks/use-quarantine-query';
import { useI18n } from '../i18n';

/**
 * The list's search box and filters. Deleted copies are a filter only for those who see others' mail.
 * On a narrow widget the filters fold behind a Filters button, so that the first message is in sight.
 */
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
  const [open, setOpen] = useState(false);
  const date = (key: 'since' | 'until') => (
    <label class="aq-date">
      {t(key)}
      <input type="date" class="aq-input" value={filters[key]} onChange={(e) => setFilter({ [key]: e.currentTarget.value })} />
    </label>
  );
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
      <button type="button" class="aq-btn aq-filter-toggle" aria-expanded={open} aria-controls="aq-filters" onClick={() => setOpen(!open)}>
        {t('filters')}
      </button>
      <div id="aq-filters" class={`aq-filters${open ? ' aq-filters--open' : ''}`}>
        <select class="aq-input" aria-label={t('typeFilter')} value={filters.type} onChange={(e) => setFilter({ type: e.currentTarget.value })}>
          <option value="">{t('allTypes')}</option>
          {MESSAGE_TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`t_${type}`)}
            </option>
          ))}
        </select>
        <select class="aq-input" aria-label={t('statusFilter')} value={filters.status} onChange={(e) => setFilter({ status: e.currentTarget.value })}>
          <option value="">{t('allStatuses')}</option>
          <option value="all">{t('anyStatus')}</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {t(`s_${s}`)}
            </option>
          ))}
        </select>
        {date('since')}
        {date('until')}
        <select class="aq-input" aria-label={t('sortDate')} value={filters.sort} onChange={(e) => setFilter({ sort: e.currentTarget.value as Filters['sort'] })}>
          <option value="date">{t('sortDate')}</option>
          <option value="date-asc">{t('sortOldest')}</option>
          <option value="score">{t('sortScore')}</option>
          <option value="sender-asc">{t('sortSender')}</option>
          <option value="subject-asc">{t('sortSubject')}</option>
        </select>
      </div>
    </form>
  );
}
