import type { BatchProgress } from '../../shared/batch';
import type { UserCapabilities } from '../../shared/session';
import { extrasFor, type BulkExtra, type ListAction } from '../api/actions';
import type { MessageChunk } from '../chunks/message';
import type { Selection } from '../hooks/use-selection';
import { useI18n } from '../i18n';
import { ActionButtons } from './action-buttons';
import { lazyView } from './lazy-view';

const BulkMore = lazyView('message', (c: MessageChunk) => c.BulkMore, { inline: true });

/**
 * Select all, how many are selected, and the actions at least one selected message allows; then "More"
 * with what the session may do to them all (Not spam, Spam, Allow or Block sender). While a batch runs it
 * says how far it is ("23 of 50"), and its controls wait, so a second click sends nothing.
 */
export function BulkBar({
  selection,
  capabilities,
  onAction,
  busy = false,
  progress = null,
}: {
  selection: Selection;
  capabilities: UserCapabilities;
  onAction: (action: ListAction, ids: readonly string[]) => void;
  busy?: boolean;
  progress?: BatchProgress | null;
}) {
  const { t } = useI18n();
  const extras = new Map(extrasFor(selection.chosen, capabilities));
  return (
    <div class="aq-bulk" aria-busy={busy}>
      <label class="aq-check">
        <input type="checkbox" checked={selection.allSelected} aria-label={t('selectAll')} disabled={busy} onChange={selection.toggleAll} />
        {/* Only the count and the progress are announced, not the buttons and the menu as they come and go. */}
        <span aria-live="polite">
          {progress ? t('batchProgress', { done: progress.done, total: progress.total }) : selection.count ? t('selected', { n: selection.count }) : t('selectAll')}
        </span>
      </label>
      {selection.count > 0 && (
        <span class="aq-actions">
          <ActionButtons actions={selection.offered} onAction={(action) => onAction(action, selection.idsFor(action))} disabled={busy} />
          {extras.size > 0 && <BulkMore extras={[...extras.keys()]} disabled={busy} onExtra={(action: BulkExtra) => onAction(action, extras.get(action) ?? [])} />}
        </span>
      )}
    </div>
  );
}
