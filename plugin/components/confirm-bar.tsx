import { useEffect, useRef } from 'preact/hooks';
import { isWidgetAction } from '../api/actions';
import type { PendingAction } from '../hooks/use-message-actions';
import { useI18n } from '../i18n';

/**
 * The deliberate step before a risky action: the risk in words, a Cancel that has the focus (Enter or Esc
 * keeps the mail where it is), and the action's own button, never the primary look. When it closes, focus
 * goes back where it was (the button or row that asked; they stay enabled, so that they keep the focus).
 */
export function ConfirmBar({ pending, onConfirm, onCancel }: { pending: PendingAction; onConfirm: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const root = cancelRef.current?.getRootNode() as ShadowRoot | Document | undefined;
    const before = root?.activeElement as HTMLElement | null | undefined;
    cancelRef.current?.focus();
    return () => {
      const now = root?.activeElement;
      if (before?.isConnected && (!now || now === document.body)) before.focus();
    };
  }, []);
  return (
    <div
      class="aq-confirm aq-status aq-status--warning"
      role="alertdialog"
      aria-labelledby="aq-confirm-text"
      data-aq-confirm={pending.action}
      onKeyDown={(e) => {
        // Esc cancels here; it must not also take the user back to the list.
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onCancel();
        }
        e.stopPropagation();
      }}
    >
      <p id="aq-confirm-text">{pending.text}</p>
      <button type="button" class="aq-btn" ref={cancelRef} onClick={onCancel}>
        {t('cancel')}
      </button>{' '}
      <button type="button" class="aq-btn aq-btn--danger" data-aq-confirm-yes onClick={onConfirm}>
        {/* Of the menu's extras only "Not spam" asks, for the release it makes. */}
        {pending.action === 'release' || !isWidgetAction(pending.action) ? t('releaseAnyway') : t(pending.action)}
      </button>
    </div>
  );
}
