import type { MessageAction } from '../../shared/actions';
import { offered, type WidgetAction } from '../api/actions';
import { useI18n } from '../i18n';

const LOOK: Record<WidgetAction, string> = { release: 'aq-btn--primary', request: '', delete: 'aq-btn--danger' };

/**
 * The buttons for what the server allows (`actions`), and nothing else. `compact` is the list row's look:
 * small, plain, and out of the tab order (the row's keys reach them). `risky` mail (a virus, phishing)
 * gets no one-click primary Release: it looks like the other buttons and asks first.
 */
export function ActionButtons({
  actions,
  onAction,
  disabled = false,
  compact = false,
  risky = false,
}: {
  actions: readonly MessageAction[];
  onAction: (action: WidgetAction) => void;
  disabled?: boolean;
  compact?: boolean;
  risky?: boolean;
}) {
  const { t } = useI18n();
  return (
    <>
      {offered(actions).map((action) => (
        <button
          key={action}
          type="button"
          class={`aq-btn ${compact ? 'aq-btn--small' : risky && action === 'release' ? '' : LOOK[action]}`}
          data-aq-action={action}
          tabIndex={compact ? -1 : undefined}
          disabled={disabled}
          onClick={() => onAction(action)}
        >
          {t(action)}
        </button>
      ))}
    </>
  );
}
