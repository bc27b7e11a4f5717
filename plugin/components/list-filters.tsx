import type { ComponentChildren, Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { MESSAGE_STATUSES, MESSAGE_TYPES } from '../../shared/quarantine';
import { NO_FILTERS, type Filters } from '../hooks/use-quarantine-query';
import { useI18n } from '../i18n';

// The filters in the popover (the search stays in sight): the button counts those not at their default.
const PANEL = ['type', 'status', 'since', 'until', 'sort'] as const;

/**
 * The list's search box, and its filters in a popover under a Filters button, as Roundcube Elastic's
 * search options: anchored under the button on a wide widget, the full width on a narrow one. Esc closes
 * it with focus back on the button; so do a click and a Tab outside. Deleted copies are a filter only
 * for those who see others' mail.
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
  const formRef = useRef<HTMLFormElement>(null);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const active = PANEL.filter((key) => filters[key] !== NO_FILTERS[key]).length;
  // A press anywhere else closes it. The path crosses the shadow root, where the target is retargeted.
  useEffect(() => {
    if (!open) return;
    const outside = (e: Event) => !e.composedPath().includes(formRef.current!) && setOpen(false);
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);
  const field = (label: string, control: ComponentChildren) => (
    <label class="aq-date">
      {label}
      {control}
    </label>
  );
  const date = (key: 'since' | 'until') =>
    field(t(key), <input type="date" class="aq-input" value={filters[key]} onChange={(e) => setFilter({ [key]: e.currentTarget.value })} />);
  return (
    <form
      ref={formRef}
      class="aq-toolbar"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const q = new FormData(e.currentTarget).get('q');
        setFilter({ q: typeof q === 'string' ? q : '' });
      }}
      onKeyDown={(e) => {
        // Esc closes the popover only: it must not also leave an open message (app.tsx).
        if (e.key === 'Escape' && open) {
          e.preventDefault();
          e.stopPropagation();
          setOpen(false);
          toggleRef.current?.focus();
        }
      }}
      onFocusOut={(e) => {
        const next = e.relatedTarget as Node | null;
        if (next && !e.currentTarget.contains(next)) setOpen(false);
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
      <button
        ref={toggleRef}
        type="button"
        class="aq-btn aq-filter-toggle"
        aria-expanded={open}
        aria-controls="aq-filters"
        aria-label={active ? t('filtersActive', { n: active }) : undefined}
        onClick={() => setOpen(!open)}
      >
        {t('filters')}
        {active > 0 && <span class="aq-badge">{active}</span>}
      </button>
      <div id="aq-filters" class={`aq-filters${open ? ' aq-filters--open' : ''}`}>
        {field(
          t('typeFilter'),
          <select class="aq-input" value={filters.type} onChange={(e) => setFilter({ type: e.currentTarget.value })}>
            <option value="">{t('allTypes')}</option>
            {MESSAGE_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`t_${type}`)}
              </option>
            ))}
          </select>,
        )}
        {field(
          t('statusFilter'),
          <select class="aq-input" value={filters.status} onChange={(e) => setFilter({ status: e.currentTarget.value })}>
            <option value="">{t('allStatuses')}</option>
            <option value="all">{t('anyStatus')}</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {t(`s_${s}`)}
              </option>
            ))}
          </select>,
        )}
        {date('since')}
        {date('until')}
        {field(
          t('sortBy'),
          <select class="aq-input" value={filters.sort} onChange={(e) => setFilter({ sort: e.currentTarget.value as Filters['sort'] })}>
            <option value="date">{t('sortDate')}</option>
            <option value="date-asc">{t('sortOldest')}</option>
            <option value="score">{t('sortScore')}</option>
            <option value="sender-asc">{t('sortSender')}</option>
            <option value="subject-asc">{t('sortSubject')}</option>
          </select>,
        )}
        <button type="button" class="aq-btn" onClick={() => setFilter({ ...NO_FILTERS, q: filters.q })}>
          {t('reset')}
        </button>
      </div>
    </form>
  );
}
