import { useRef, useState } from 'preact/hooks';
import type { QuarantineItem } from '../../shared/quarantine';

/**
 * Where focus goes when the list appears: the search after sign-in, the message just left after "back"
 * (or the one after it, when an action took it out of the list).
 */
export type ListFocus = { search: true } | { item: string; next?: string | undefined };

/**
 * Roving focus over the list's rows (one row is in the tab order), and the one-time focus the list
 * takes when it first loads. Never on page load: a widget must not take the focus from its host page.
 */
export function useListFocus(initial: ListFocus | undefined) {
  const listRef = useRef<HTMLUListElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const [index, setIndex] = useState(0);
  const pendingRef = useRef(initial);

  // Counts the rows in the DOM, not the items: it also runs right after a reload, before a re-render.
  const move = (to: number) => {
    const rows = listRef.current?.querySelectorAll<HTMLElement>('[data-aq-item]') ?? [];
    const bounded = Math.max(0, Math.min(rows.length - 1, to));
    setIndex(bounded);
    rows[bounded]?.focus();
  };

  /** After a load: takes the pending initial focus, once. */
  const restore = (page: readonly QuarantineItem[]) => {
    const wanted = pendingRef.current;
    pendingRef.current = undefined;
    // Only if the user has not moved focus meanwhile: a late focus change would turn the letters they
    // are typing into list shortcuts.
    const untouched = () => {
      const active = (listRef.current?.getRootNode() as ShadowRoot | undefined)?.activeElement as HTMLElement | null | undefined;
      return !active || !active.matches('input, select, textarea, button, [data-aq-item]');
    };
    if (wanted && 'search' in wanted && untouched()) searchRef.current?.focus();
    else if (wanted && 'item' in wanted)
      setTimeout(() => {
        if (!untouched()) return;
        // An empty list (the message left was the last one that matched): the search box.
        if (page.length === 0) searchRef.current?.focus();
        else
          move(
            Math.max(
              0,
              page.findIndex((i) => i.id === wanted.item || i.id === wanted.next),
            ),
          );
      }, 0);
  };

  /** Focus to take after the next load (the list stays mounted while a message is open). */
  const expect = (wanted: ListFocus) => {
    pendingRef.current = wanted;
  };

  return { listRef, searchRef, index, setIndex, move, restore, expect };
}
