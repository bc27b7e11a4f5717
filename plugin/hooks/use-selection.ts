import { useRef, useState } from 'preact/hooks';
import type { MessageAction } from '../../shared/actions';
import type { QuarantineItem } from '../../shared/quarantine';
import { offered, type WidgetAction } from '../api/actions';

/**
 * Which listed items are selected, and what a bulk action may do with them: an action is offered when
 * at least one selected item allows it, and it is sent only for the items that do. `click` selects as
 * Roundcube does: shift adds the range from the last clicked row, ctrl (cmd) toggles one.
 */
export function useSelection(items: readonly QuarantineItem[], initial: readonly string[] = []) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set(initial));
  // The row a shift-click's range starts from: the last one clicked.
  const anchorRef = useRef<string | undefined>(undefined);
  // Ids no longer listed (after a reload) do not count.
  const chosen = items.filter((i) => selected.has(i.id));
  const allSelected = items.length > 0 && chosen.length === items.length;

  return {
    count: chosen.length,
    allSelected,
    isSelected: (id: string) => selected.has(id),
    toggle: (id: string) =>
      setSelected((prev) => {
        const next = new Set(prev);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    toggleAll: () => setSelected(allSelected ? new Set() : new Set(items.map((i) => i.id))),
    clear: () => setSelected(new Set()),
    ids: chosen.map((i) => i.id),
    /** The selected items that are still listed. */
    chosen,
    /** A click on a row with shift or ctrl (cmd); a plain click clears the selection (it opens the row instead). */
    click: (id: string, { shift, toggle }: { shift: boolean; toggle: boolean }) => {
      const from = items.findIndex((i) => i.id === anchorRef.current);
      const to = items.findIndex((i) => i.id === id);
      if (shift && from >= 0 && to >= 0) {
        const range = items.slice(Math.min(from, to), Math.max(from, to) + 1).map((i) => i.id);
        return setSelected((prev) => new Set([...(toggle ? prev : []), ...range]));
      }
      anchorRef.current = id;
      if (!toggle && !shift) return setSelected(new Set());
      setSelected((prev) => {
        const next = new Set(prev);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      });
    },
    offered: offered([...new Set<MessageAction>(chosen.flatMap((i) => i.actions))]),
    idsFor: (action: WidgetAction) => chosen.filter((i) => i.actions.includes(action)).map((i) => i.id),
  };
}

export type Selection = ReturnType<typeof useSelection>;
