import type { BatchProgress } from '../../shared/batch';
import type { WidgetAction } from '../api/actions';
import type { Selection } from '../hooks/use-selection';
import { useI18n } from '../i18n';
import { ActionButtons } from './action-buttons';

/**
 * Select all, how many are selected, and the actions at least one selected message allows. While a
 * batch runs it says how far it is ("23 of 50"), and its controls wait, so a second click sends nothing.
 */
export function BulkBar({
  selection,
  onAction,
  busy = false,
  progress = null,
}: {
  selection: Selection;
  onAction: (action: WidgetAction) => void;
  busy?: boolean;
  progress?: BatchProgress | null;
}) {
  const { t } = useI18n();
  return (
    <div class="aq-bulk" aria-live="polite" aria-busy={busy}>
      <label class="aq-check">
        <input type="checkbox" checked={selection.allSelected} aria-label={t('selectAll')} disabled={busy} onChange={selection.toggleAll} />
        <span>
          {progress ? t('batchProgress', { done: progress.done, total: progress.total }) : selection.count ? t('selected', { n: selection.count }) : t('selectAll')}
        </span>
      </label>
      {selection.count > 0 && (
        <span class="aq-actions">
          <ActionButtons actions={selection.offered} onAction={onAction} disabled={busy} />
        </span>
      )}
    </div>
  );
}
