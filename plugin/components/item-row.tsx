import type { QuarantineItem } from '../../shared/quarantine';
import type { WidgetAction } from '../api/actions';
import { useI18n } from '../i18n';
import { ActionButtons } from './action-buttons';

interface Props {
  item: QuarantineItem;
  showRecipient: boolean;
  selected: boolean;
  focusable: boolean;
  onFocus: () => void;
  onToggle: () => void;
  onOpen: () => void;
  onAction: (action: WidgetAction) => void;
}

/** One quarantined message in the list: a row on wide screens, a card on narrow ones. */
export function ItemRow({ item, showRecipient, selected, focusable, onFocus, onToggle, onOpen, onAction }: Props) {
  const { t, date } = useI18n();
  // The display name when the From header has one (the address stays in the tooltip).
  const sender = /^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$/.exec(item.headerFrom)?.[1] || item.headerFrom || item.envelopeFrom || '<>';
  return (
    <li
      class={`aq-item aq-item--${item.status}`}
      role="option"
      aria-selected={selected}
      data-aq-item={item.id}
      tabIndex={focusable ? 0 : -1}
      onFocus={onFocus}
      onClick={(e) => {
        if (!(e.target as HTMLElement).closest('button, input, label')) onOpen();
      }}
    >
      <input type="checkbox" class="aq-item__check" checked={selected} aria-label={`${t('select')}: ${item.subject}`} onChange={onToggle} tabIndex={-1} />
      <span class="aq-item__from" title={`${item.headerFrom} (${item.envelopeFrom || '<>'})`}>
        {sender}
      </span>
      <span class="aq-item__subject">{item.subject || '—'}</span>
      {showRecipient && <span class="aq-item__rcpt">{item.recipient}</span>}
      <span class="aq-item__meta">
        <span class={`aq-badge aq-badge--${item.type}`}>{t(`t_${item.type}`)}</span>
        {item.spamLevel !== null && <span class="aq-score">{item.spamLevel.toFixed(1)}</span>}
        {item.status !== 'new' && <span class="aq-badge">{t(`s_${item.status}`)}</span>}
        {item.releaseState && <span class="aq-badge aq-badge--unknown">{t('s_unknown')}</span>}
        <time dateTime={item.receivedAt}>{date(item.receivedAt)}</time>
        <span class="aq-muted">{item.purgeInDays > 0 ? t('purgeIn', { n: item.purgeInDays }) : t('purgeToday')}</span>
      </span>
      <span class="aq-item__actions">
        <ActionButtons actions={item.actions} onAction={onAction} compact />
      </span>
    </li>
  );
}
