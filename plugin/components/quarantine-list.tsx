import { useEffect, useRef, useState } from 'preact/hooks';
import type { UserCapabilities } from '../../shared/session';
import { applyResult, errorText, type ListAction, type WidgetAction } from '../api/actions';
import type { ApiClient } from '../api/client';
import type { ListState } from '../hooks/hash-state';
import { warningFor } from '../api/risks';
import { useListFocus, type ListFocus } from '../hooks/use-list-focus';
import { useMessageActions } from '../hooks/use-message-actions';
import { useQuarantineQuery } from '../hooks/use-quarantine-query';
import { scroller, useScroll } from '../hooks/use-scroll';
import { useSelection } from '../hooks/use-selection';
import { useI18n } from '../i18n';
import { BulkBar } from './bulk-bar';
import { ConfirmBar } from './confirm-bar';
import { ItemRow } from './item-row';
import { ListFilters } from './list-filters';
import type { Status } from './status-bar';

const ACTION_KEYS: Record<string, WidgetAction> = { r: 'release', d: 'delete', q: 'request' };

/** The quarantine list: filters, paging, selection, bulk and per-row actions, keyboard control. */
export function QuarantineList({
  client,
  capabilities,
  notify,
  focus: initialFocus,
  onOpen,
  open: openId,
  changes = 0,
  initial: kept,
  onState,
}: {
  client: ApiClient;
  capabilities: UserCapabilities;
  notify: (s: Status | null) => void;
  focus?: ListFocus | undefined;
  /** `next`: the message after it in the list, where focus goes if it is deleted there. */
  onOpen: (id: string, next?: string) => void;
  /** The message open beside the list (wide) or over it (narrow): the list stays, with its state. */
  open?: string | undefined;
  /** Counts the changes made in the open message: each loads the list afresh. */
  changes?: number | undefined;
  /** The state kept from before a reload (hash-state.ts), and where to report its changes. */
  initial?: (() => ListState) | undefined;
  onState?: ((state: Omit<ListState, 'open'>) => void) | undefined;
}) {
  const { t, locale } = useI18n();
  const [initial] = useState(() => kept?.());
  const listFocus = useListFocus(initialFocus);
  const { listRef, searchRef, index: focused, setIndex: setFocused, move, restore } = listFocus;
  const { expect: expectFocus } = listFocus;
  const scrolledRef = useRef(initial?.scroll ?? 0);
  const query = useQuarantineQuery(client, {
    initial,
    onLoaded: (page) => {
      restore(page);
      // Back where the user was before the reload, once.
      if (scrolledRef.current > 0) {
        const top = scrolledRef.current;
        scrolledRef.current = 0;
        requestAnimationFrame(() => scroller(listRef.current)?.scrollTo({ top }));
      }
    },
    onError: (err) => notify({ kind: 'error', text: errorText(err, t) }),
  });
  const selection = useSelection(query.items, initial?.selected);
  const scroll = useScroll(listRef);
  // Back from a message: the list loads afresh (the message view may have changed it), with as many
  // pages as before, and focus goes to the message left (or the one after it when it is gone).
  const openRef = useRef(openId);
  useEffect(() => {
    const left = openRef.current;
    openRef.current = openId;
    if (left && !openId) {
      if (initialFocus && 'item' in initialFocus) expectFocus(initialFocus);
      scrolledRef.current = scroll;
      void query.refresh();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs when a message is closed
  }, [openId]);
  useEffect(() => {
    if (changes > 0) void query.refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs on each change
  }, [changes]);
  const { filters, pages } = query;
  const selectedKey = selection.ids.join(',');
  useEffect(() => onState?.({ filters, pages, scroll, selected: selection.ids }), [filters, pages, scroll, selectedKey]); // eslint-disable-line react-hooks/exhaustive-deps -- by value
  const actions = useMessageActions(client, notify);
  const { items, loading } = query;

  // Risky actions (a virus or a blocked attachment, several deletes) wait for a confirmation. The rows
  // then show their new state in place, and focus goes back to the list: to the next row after a delete
  // by key, so that j/k/Enter go on from there.
  const act = (action: ListAction, ids: readonly string[], row?: number) => {
    const touched = items.filter((i) => ids.includes(i.id));
    actions.ask(action, ids, warningFor(action, touched, t), (results) => {
      if (!results) return;
      const byId = new Map(results.map((r) => [r.id, r]));
      query.patch((item) => {
        const result = byId.get(item.id);
        return result ? applyResult(item, result) : item;
      });
      if (row === undefined) selection.clear();
      const active = (listRef.current?.getRootNode() as ShadowRoot | Document | undefined)?.activeElement;
      if (!active || active === document.body || active.closest('[data-aq-item], .aq-bulk')) move(row === undefined ? focused : row + (action === 'delete' ? 1 : 0));
    });
  };
  const open = (index: number) => items[index] && onOpen(items[index].id, items[index + 1]?.id);
  const { total } = query;

  const onListKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).matches('input, button, select') || e.ctrlKey || e.metaKey || e.altKey) return;
    const item = items[focused];
    const action = ACTION_KEYS[e.key];
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(focused + 1),
      j: () => move(focused + 1),
      ArrowUp: () => move(focused - 1),
      k: () => move(focused - 1),
      Home: () => move(0),
      End: () => move(items.length - 1),
      Enter: () => open(focused),
      x: () => item && selection.toggle(item.id),
      ' ': () => item && selection.toggle(item.id),
    };
    // r, d and q act only when the server allows that action on the focused message.
    const handler = keys[e.key] ?? (action && item?.actions.includes(action) && !actions.busy ? () => act(action, [item.id], focused) : undefined);
    if (handler) {
      e.preventDefault();
      handler();
    }
  };

  return (
    <section class="aq-list" aria-busy={loading}>
      <ListFilters
        filters={query.filters}
        setFilter={(patch) => {
          selection.clear();
          query.setFilter(patch);
        }}
        showDeleted={capabilities.seesOthersMail}
        searchRef={searchRef}
        onSearchDown={() => move(0)}
      />
      <BulkBar selection={selection} capabilities={capabilities} onAction={act} busy={actions.busy} progress={actions.progress} />
      {actions.pending && <ConfirmBar pending={actions.pending} onConfirm={actions.confirm} onCancel={actions.cancel} />}
      {!loading && items.length === 0 ? (
        <p class="aq-empty">{t('empty')}</p>
      ) : (
        <ul
          class={`aq-items${capabilities.seesOthersMail ? ' aq-items--rcpt' : ''}`}
          role="grid"
          aria-multiselectable="true"
          aria-label={t('title')}
          aria-describedby="aq-keys"
          ref={listRef}
          onKeyDown={onListKey}
        >
          {items.map((item, index) => (
            <ItemRow
              key={item.id}
              item={item}
              showRecipient={capabilities.seesOthersMail}
              selected={selection.isSelected(item.id)}
              focusable={index === focused}
              onFocus={() => setFocused(index)}
              onToggle={() => selection.toggle(item.id)}
              current={item.id === openId}
              onOpen={(e) => {
                // As in Roundcube: shift-click selects a range, ctrl (cmd)-click one more; a click opens.
                const toggle = e.ctrlKey || e.metaKey;
                selection.click(item.id, { shift: e.shiftKey, toggle });
                if (!toggle && !e.shiftKey) open(index);
              }}
              onAction={(action) => act(action, [item.id], index)}
            />
          ))}
        </ul>
      )}
      {items.length > 0 && (
        <div class="aq-list-foot">
          {total && (
            <span class="aq-muted aq-range" aria-live="polite">
              {t('range', { from: 1, to: items.length.toLocaleString(locale), total: `${total.value.toLocaleString(locale)}${total.capped ? '+' : ''}` })}
            </span>
          )}
          {query.hasMore && (
            <button type="button" class="aq-btn aq-more" disabled={loading} onClick={() => void query.loadMore()}>
              {t('more')}
            </button>
          )}
        </div>
      )}
      {loading && <p class="aq-muted">{t('loading')}</p>}
      <p id="aq-keys" class="aq-muted aq-keys">
        {t('keys')}
      </p>
    </section>
  );
}
