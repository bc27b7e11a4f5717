import { useEffect, useRef } from 'preact/hooks';
import type { BatchProgress } from '../../shared/batch';
import type { useSenderActions } from '../hooks/use-sender-actions';
import { useI18n } from '../i18n';

/**
 * After a block: the offer to delete the sender's other quarantined messages, with the batch's progress.
 * The question takes the focus (once its buttons are enabled), so a keyboard user answers it at once.
 */
export function OthersAsk({
  sender,
  busy,
  progress,
  onDeleteOthers,
}: {
  sender: ReturnType<typeof useSenderActions>;
  busy: boolean;
  progress: BatchProgress | null;
  onDeleteOthers: (ids: string[]) => void;
}) {
  const { t } = useI18n();
  const askRef = useRef<HTMLButtonElement>(null);
  const { others } = sender;
  const off = busy || sender.busy;
  useEffect(() => {
    if (others && !off) askRef.current?.focus();
  }, [others, off]);
  if (!others) return null;
  return (
    <div class="aq-status aq-status--info aq-ask" role="alertdialog" aria-labelledby="aq-ask-text">
      <span id="aq-ask-text">{progress ? t('batchProgress', { done: progress.done, total: progress.total }) : t('othersAsk', { n: others.count })}</span>
      <span class="aq-actions">
        <button type="button" ref={askRef} class="aq-btn aq-btn--danger" disabled={off} onClick={() => onDeleteOthers(others.ids)}>
          {t('delete')}
        </button>
        <button type="button" class="aq-btn" disabled={off} onClick={sender.dismissOthers}>
          {t('keep')}
        </button>
      </span>
    </div>
  );
}
