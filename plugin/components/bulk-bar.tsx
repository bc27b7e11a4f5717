import type { WidgetAction } from '../api/actions';
import type { Selection } from '../hooks/use-selection';
import { useI18n } from '../i18n';
import { ActionButtons } from './action-buttons';

/** Select all, how many are selected, and the actions at least one selected message allows. */
export function BulkBar({ selection, onAction }: { selection: Selection; onAction: (action: WidgetAction) => void }) {
  const { t } = useI18n();
  return (
    <div class="aq-bulk" aria-live="polite">
      <label class="aq-check">
        <input type="checkbox" checked={selection.allSelected} aria-label={t('selectAll')} onChange={selection.toggleAll} />
        <span>{selection.count ? t('selected', { n: selection.count }) : t('selectAll')}</span>
      </label>
      {selection.count > 0 && (
        <span class="aq-actions">
          <ActionButtons actions={selection.offered} onAction={onAction} />
        </span>
      )}
    </div>
  );
}
