import type { QuarantineItem } from '../../shared/quarantine';
import type { WidgetAction } from '../api/actions';
import { useI18n } from '../i18n';
import { ActionButtons } from './action-buttons';

interface Props {
  item: QuarantineItem;
  showRecipient: boolean;
  selected: boolean;
  focusable: boolean;
  /** Open beside the list (the preview pane) or over it. */
  current?: boolean | undefined;
  onFocus: () => void;
  onToggle: () => void;
  onOpen: (e: MouseEvent | KeyboardEvent) => void;
  onAction: (action: WidgetAction) => void;
}

/** One quarantined message in the list: a row on wide screens, a card on narrow ones. */
export function ItemRow({ item, showRecipient, selected, focusable, current = false, onFocus, onToggle, onOpen, onAction }: Props) {
  const { t, date } = useI18n();
  // The display name when the From header has one (the address stays in the tooltip).
  const sender = /^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$/.exec(item.headerFrom)?.[1] || item.headerFrom || item.envelopeFrom || '<>';
  const gone = item.purgeInDays > 0 ? t('purgeIn', { n: item.purgeInDays }) : t('purgeToday');
  // A row of a grid (not an option): it holds a checkbox and buttons, which an option may not. The row
  // itself takes the focus for j/k; every child is a cell.
  return (
    <li
      class={`aq-item aq-item--${item.status}${current ? ' aq-item--open' : ''}`}
      role="row"
      aria-selected={selected}
      data-aq-item={item.id}
      tabIndex={focusable ? 0 : -1}
      onFocus={onFocus}
      onMouseDown={(e) => e.shiftKey && e.preventDefault()}
      onClick={(e) => {
        if (!(e.target as HTMLElement).closest('button, input, label')) onOpen(e);
      }}
    >
      <span class="aq-item__check" role="gridcell">
        <input type="checkbox" checked={selected} aria-label={`${t('select')}: ${item.subject}`} onChange={onToggle} tabIndex={-1} />
      </span>
      <span class="aq-item__from" role="gridcell" title={`${item.headerFrom} (${item.envelopeFrom || '<>'})`}>
        {sender}
      </span>
      <span class="aq-item__subject" role="gridcell">
        {item.status !== 'new' && item.status !== 'viewed' && <span class="aq-badge">{t(`s_${item.status}`)}</span>}
        {item.releaseState && <span class="aq-badge aq-badge--unknown">{t('s_unknown')}</span>}
        {item.subject || '—'}
      </span>
      {showRecipient && (
        <span class="aq-item__rcpt" role="gridcell">
          {item.recipient}
        </span>
      )}
      <span class="aq-item__type" role="gridcell">
        <span class={`aq-badge aq-badge--${item.type}`}>{t(`t_${item.type}`)}</span>
      </span>
      <span class="aq-item__score aq-score" role="gridcell">
        {item.spamLevel !== null && item.type !== 'virus' && item.type !== 'banned' ? (Math.round(item.spamLevel * 10) / 10 || 0).toFixed(1) : ''}
      </span>
      <span class="aq-item__date" role="gridcell" title={gone}>
        <time dateTime={item.receivedAt}>{date(item.receivedAt)}</time>
      </span>
      <span class="aq-item__actions" role="gridcell">
        <ActionButtons actions={item.actions} onAction={onAction} compact />
      </span>
    </li>
  );
}
