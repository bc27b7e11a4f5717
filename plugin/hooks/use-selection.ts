import { useState } from 'preact/hooks';
import type { MessageAction } from '../../shared/actions';
import type { QuarantineItem } from '../../shared/quarantine';
import { offered, type WidgetAction } from '../api/actions';

/**
 * Which listed items are selected, and what a bulk action may do with them: an action is offered when
 * at least one selected item allows it, and it is sent only for the items that do.
 */
export function useSelection(items: readonly QuarantineItem[]) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
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
    offered: offered([...new Set<MessageAction>(chosen.flatMap((i) => i.actions))]),
    idsFor: (action: WidgetAction) => chosen.filter((i) => i.actions.includes(action)).map((i) => i.id),
  };
}

export type Selection = ReturnType<typeof useSelection>;
