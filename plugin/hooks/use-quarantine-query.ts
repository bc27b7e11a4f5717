import { useEffect, useRef, useState } from 'preact/hooks';
import type { QuarantineItem } from '../../shared/quarantine';
import type { ApiClient } from '../api/client';

/** The list's filters, as the form holds them ('' means any; a status of '' means open, 'all' any). */
export interface Filters {
  type: string;
  status: string;
  q: string;
  since: string;
  until: string;
  /** An order and, after a dash, its direction when it is not the API's default (desc). */
  sort: 'date' | 'date-asc' | 'score' | 'sender-asc' | 'subject-asc';
}

export const NO_FILTERS: Filters = { type: '', status: '', q: '', since: '', until: '', sort: 'date' };

const PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

// "Open" (the default) is what still waits for a decision: released and deleted copies only on request.
const OPEN_STATUSES = ['new', 'viewed', 'requested'];

/** The API query for some filters: `until` is a day the user includes, the API's bound is exclusive. */
export const listQuery = (filters: Filters, cursor?: string) => ({
  ...filters,
  status: filters.status === '' ? OPEN_STATUSES : filters.status === 'all' ? '' : filters.status,
  sort: filters.sort.split('-')[0],
  dir: filters.sort.split('-')[1] ?? '',
  until: filters.until ? new Date(Date.parse(filters.until) + DAY_MS).toISOString().slice(0, 10) : '',
  limit: PAGE_SIZE,
  cursor,
});

/**
 * The quarantine list: filters, the items loaded so far and keyset paging ("load more"). Reloads from the
 * first page whenever the filters change. `onLoaded` runs after each page, `onError` on a failed load.
 */
export function useQuarantineQuery(
  client: ApiClient,
  {
    onLoaded,
    onError,
    initial,
  }: {
    onLoaded?: (page: QuarantineItem[], more: boolean) => void;
    onError: (err: unknown) => void;
    /** Filters and how many pages to load at first (a reload restoring "Load more"). */
    initial?: { filters: Filters; pages: number } | undefined;
  },
) {
  const [filters, setFilters] = useState<Filters>(initial?.filters ?? NO_FILTERS);
  const [items, setItems] = useState<QuarantineItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  // How many match (counted by the server up to a cap), and how many pages are loaded.
  const [total, setTotal] = useState<{ value: number; capped: boolean } | undefined>(undefined);
  const [pages, setPages] = useState(1);
  // Only the latest load may write: an answer to an older filter arriving late must not replace it.
  const latestRef = useRef(0);
  const restoreRef = useRef(initial?.pages ?? 1);

  const load = async (more: boolean) => {
    const ticket = ++latestRef.current;
    setLoading(true);
    try {
      // The first page asks for the total; a restore loads as many pages as were loaded before.
      let page = await client.list({ ...listQuery(filters, more ? (cursor ?? undefined) : undefined), ...(more ? {} : { count: true }) });
      const count = page.count;
      const got = [...page.items];
      let loaded = more ? pages + 1 : 1;
      const wanted = more ? 0 : restoreRef.current;
      restoreRef.current = 1;
      while (loaded < wanted && page.nextCursor && ticket === latestRef.current) {
        page = await client.list(listQuery(filters, page.nextCursor));
        got.push(...page.items);
        loaded++;
      }
      if (ticket !== latestRef.current) return;
      if (!more) setTotal(count);
      setItems((prev) => (more ? [...prev, ...got] : got));
      setCursor(page.nextCursor);
      setPages(loaded);
      onLoaded?.(got, more);
    } catch (err) {
      if (ticket === latestRef.current) onError(err);
    } finally {
      if (ticket === latestRef.current) setLoading(false);
    }
  };

  useEffect(() => {
    void load(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a new query starts only when the client or the filters change; load reads the latest cursor and callbacks by design
  }, [client, filters]);

  return {
    filters,
    setFilter: (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch })),
    items,
    loading,
    hasMore: cursor !== null,
    total,
    pages,
    loadMore: () => load(true),
    reload: () => load(false),
    /** Loads the list afresh with as many pages as are loaded now (after a message view changed one). */
    refresh: () => {
      restoreRef.current = pages;
      return load(false);
    },
    /** Changes listed items in place (an action's outcome), without a reload. */
    patch: (update: (item: QuarantineItem) => QuarantineItem) => setItems((prev) => prev.map(update)),
  };
}
