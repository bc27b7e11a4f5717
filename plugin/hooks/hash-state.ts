import { NO_FILTERS, type Filters } from './use-quarantine-query';

/**
 * What survives opening a message and a reload: the list's filters, search and sort, how many pages
 * "Load more" had loaded, the scroll position, the selection and the open message. It lives in the host
 * page's URL hash as `#aq?type=spam&q=…&pages=2&sel=…&open=…`, written with history.replaceState (no
 * history entry, no hashchange for the host), and only while the hash is empty or already ours: a host
 * that routes by its hash keeps it. `data-state="none"` keeps nothing.
 */
export interface ListState {
  filters: Filters;
  pages: number;
  scroll: number;
  selected: readonly string[];
  open?: string | undefined;
}

const PREFIX = '#aq?';
// A selection longer than this is not kept: the URL must stay a reasonable size.
const MAX_SELECTED = 100;

export const EMPTY_STATE: ListState = { filters: NO_FILTERS, pages: 1, scroll: 0, selected: [] };

const ours = (hash: string) => hash === '' || hash === '#' || hash.startsWith(PREFIX);

/** Reads the state from a hash (the page's, by default); anything unknown or malformed is left at its default. */
export function readState(hash = location.hash): ListState {
  if (!hash.startsWith(PREFIX)) return EMPTY_STATE;
  const p = new URLSearchParams(hash.slice(PREFIX.length));
  const filters = { ...NO_FILTERS };
  for (const key of Object.keys(NO_FILTERS) as (keyof Filters)[]) {
    const value = p.get(key);
    if (value !== null) (filters as Record<string, string>)[key] = value;
  }
  if (!['date', 'date-asc', 'score', 'sender-asc', 'subject-asc'].includes(filters.sort)) filters.sort = 'date';
  const number = (key: string, fallback: number, max: number) => Math.min(max, Math.max(fallback, Math.floor(Number(p.get(key))) || fallback));
  return {
    filters,
    pages: number('pages', 1, 20),
    scroll: number('scroll', 0, 1e6),
    selected: (p.get('sel') ?? '').split(',').filter(Boolean).slice(0, MAX_SELECTED),
    open: p.get('open') || undefined,
  };
}

/** The hash for a state: only what differs from the defaults. */
export function stateHash(state: ListState): string {
  const p = new URLSearchParams();
  for (const key of Object.keys(NO_FILTERS) as (keyof Filters)[]) if (state.filters[key] !== NO_FILTERS[key]) p.set(key, state.filters[key]);
  if (state.pages > 1) p.set('pages', String(state.pages));
  if (state.scroll > 0) p.set('scroll', String(Math.round(state.scroll)));
  if (state.selected.length > 0 && state.selected.length <= MAX_SELECTED) p.set('sel', state.selected.join(','));
  if (state.open) p.set('open', state.open);
  const query = p.toString();
  return query ? PREFIX + query : '';
}

/** Writes the state to the page's hash, unless the hash belongs to the host (or the host said none). */
export function writeState(state: ListState): void {
  if (!ours(location.hash)) return;
  const hash = stateHash(state);
  if (hash === location.hash || (hash === '' && !location.hash)) return;
  history.replaceState(history.state, '', `${location.pathname}${location.search}${hash || (location.hash ? '#' : '')}`);
}
