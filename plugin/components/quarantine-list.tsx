import { useEffect, useRef, useState } from 'preact/hooks';
import { MESSAGE_STATUSES, MESSAGE_TYPES, type QuarantineItem } from '../../shared/quarantine';
import type { SessionUser } from '../../shared/session';
import { runAction, type MessageAction } from '../api/actions';
import { ApiError, type ApiClient } from '../api/client';
import { useI18n } from '../i18n';
import type { Status } from './status-bar';
import { ItemRow } from './item-row';

interface Filters {
  type: string;
  status: string;
  q: string;
  since: string;
  until: string;
  sort: 'date' | 'score';
}

const NO_FILTERS: Filters = { type: '', status: '', q: '', since: '', until: '', sort: 'date' };

type Action = MessageAction;

/** The quarantine list: filters, keyset paging, selection, bulk and per-row actions, keyboard control. */
export function QuarantineList({
  client,
  user,
  notify,
  focus: initialFocus,
  onOpen,
}: {
  client: ApiClient;
  user: SessionUser;
  notify: (s: Status | null) => void;
  focus?: { search: true } | { item: string } | undefined;
  onOpen: (id: string) => void;
}) {
  const { t } = useI18n();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [items, setItems] = useState<QuarantineItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [focus, setFocus] = useState(0);
  const listRef = useRef<HTMLUListElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const focusPending = useRef(initialFocus);
  const admin = user.role !== 'user';

  const load = async (more: boolean) => {
    setLoading(true);
    try {
      const page = await client.list({
        type: filters.type,
        status: filters.status,
        q: filters.q,
        since: filters.since,
        until: filters.until ? new Date(Date.parse(filters.until) + 86_400_000).toISOString().slice(0, 10) : '',
        sort: filters.sort,
        limit: 50,
        cursor: more ? (cursor ?? undefined) : undefined,
      });
      setItems((prev) => (more ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
      if (!more) setSelected(new Set());
      const wanted = focusPending.current;
      focusPending.current = undefined;
      // Restore focus only if the user has not moved it meanwhile: a late focus change would turn the
      // letters they are typing into list shortcuts.
      const untouched = () => {
        const active = (listRef.current?.getRootNode() as ShadowRoot | undefined)?.activeElement as HTMLElement | null | undefined;
        return !active || !active.matches('input, select, textarea, button, [data-aq-item]');
      };
      if (wanted && 'search' in wanted && untouched()) searchRef.current?.focus();
      else if (wanted && 'item' in wanted) setTimeout(() => untouched() && moveFocus(Math.max(0, page.items.findIndex((i) => i.id === wanted.item))), 0);
    } catch (err) {
      notify({ kind: 'error', text: err instanceof ApiError ? err.message : t('error') });
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filters]);

  const act = async (action: Action, ids: string[]) => {
    if (ids.length === 0) return;
    try {
      if (ids.length === 1 && ids[0]) {
        notify({ kind: 'success', text: t(await runAction(client, action, ids[0])) });
      } else {
        const { results } = await client.batch(action, ids);
        const failed = results.filter((r) => !r.ok);
        const text = `${t('batchDone', { n: results.length - failed.length })}${failed.length ? `; ${t('batchFailed', { n: failed.length })}: ${failed[0]?.message ?? ''}` : ''}`;
        notify({ kind: failed.length ? 'error' : 'success', text });
      }
      await load(false);
    } catch (err) {
      notify({ kind: 'error', text: err instanceof ApiError ? err.message : t('error') });
    }
  };

  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  // Counts the rows in the DOM, not in `items`: it also runs right after a reload, before a re-render.
  const moveFocus = (index: number) => {
    const rows = listRef.current?.querySelectorAll<HTMLElement>('[data-aq-item]') ?? [];
    const bounded = Math.max(0, Math.min(rows.length - 1, index));
    setFocus(bounded);
    rows[bounded]?.focus();
  };

  const onListKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).matches('input, button, select')) return;
    const item = items[focus];
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveFocus(focus + 1),
      j: () => moveFocus(focus + 1),
      ArrowUp: () => moveFocus(focus - 1),
      k: () => moveFocus(focus - 1),
      Home: () => moveFocus(0),
      End: () => moveFocus(items.length - 1),
      Enter: () => item && onOpen(item.id),
      x: () => item && toggle(item.id),
      ' ': () => item && toggle(item.id),
      r: () => item && void act('release', [item.id]),
      d: () => item && void act('delete', [item.id]),
    };
    const handler = keys[e.key];
    if (handler && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      handler();
    }
  };

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const statuses = MESSAGE_STATUSES.filter((s) => admin || s !== 'deleted');
  const allSelected = items.length > 0 && items.every((i) => selected.has(i.id));

  return (
    <section class="aq-list" aria-busy={loading}>
      <form
        class="aq-toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: String(new FormData(e.currentTarget as HTMLFormElement).get('q') ?? '') });
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
              moveFocus(0);
            }
          }}
        />
        <select class="aq-input" aria-label={t('allTypes')} value={filters.type} onChange={(e) => set({ type: e.currentTarget.value })}>
          <option value="">{t('allTypes')}</option>
          {MESSAGE_TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`t_${type}`)}
            </option>
          ))}
        </select>
        <select class="aq-input" aria-label={t('allStatuses')} value={filters.status} onChange={(e) => set({ status: e.currentTarget.value })}>
          <option value="">{t('allStatuses')}</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {t(`s_${s}`)}
            </option>
          ))}
        </select>
        <input type="date" class="aq-input" aria-label={t('since')} title={t('since')} value={filters.since} onChange={(e) => set({ since: e.currentTarget.value })} />
        <input type="date" class="aq-input" aria-label={t('until')} title={t('until')} value={filters.until} onChange={(e) => set({ until: e.currentTarget.value })} />
        <select class="aq-input" aria-label={t('sortDate')} value={filters.sort} onChange={(e) => set({ sort: e.currentTarget.value as Filters['sort'] })}>
          <option value="date">{t('sortDate')}</option>
          <option value="score">{t('sortScore')}</option>
        </select>
      </form>

      <div class="aq-bulk" aria-live="polite">
        <label class="aq-check">
          <input
            type="checkbox"
            checked={allSelected}
            aria-label={t('selectAll')}
            onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((i) => i.id)))}
          />
          <span>{selected.size ? t('selected', { n: selected.size }) : t('selectAll')}</span>
        </label>
        {selected.size > 0 && (
          <span class="aq-actions">
            <button type="button" class="aq-btn aq-btn--primary" onClick={() => act('release', [...selected])}>
              {t('release')}
            </button>
            <button type="button" class="aq-btn" onClick={() => act('request', [...selected])}>
              {t('request')}
            </button>
            <button type="button" class="aq-btn aq-btn--danger" onClick={() => act('delete', [...selected])}>
              {t('delete')}
            </button>
          </span>
        )}
      </div>

      {!loading && items.length === 0 ? (
        <p class="aq-empty">{t('empty')}</p>
      ) : (
        <ul class="aq-items" role="listbox" aria-multiselectable="true" aria-label={t('title')} aria-describedby="aq-keys" ref={listRef} onKeyDown={onListKey}>
          {items.map((item, index) => (
            <ItemRow
              key={item.id}
              item={item}
              showRecipient={admin}
              selected={selected.has(item.id)}
              focusable={index === focus}
              onFocus={() => setFocus(index)}
              onToggle={() => toggle(item.id)}
              onOpen={() => onOpen(item.id)}
              onAction={(action) => act(action, [item.id])}
            />
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="aq-btn aq-more" disabled={loading} onClick={() => load(true)}>
          {t('more')}
        </button>
      )}
      {loading && <p class="aq-muted">{t('loading')}</p>}
      <p id="aq-keys" class="aq-muted aq-keys">
        {t('keys')}
      </p>
    </section>
  );
}
