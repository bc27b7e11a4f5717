import { useEffect, useRef, useState } from 'preact/hooks';
import type { MessageDetail } from '../../shared/message';
import type { BatchProgress } from '../../shared/batch';
import type { UserCapabilities } from '../../shared/session';
import type { Scope } from '../api/client';
import type { useSenderActions } from '../hooks/use-sender-actions';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/en';

// The address the server acts on: the envelope sender, else the From header's address.
const addressOf = (item: MessageDetail['item']) => item.envelopeFrom || /<([^>]+)>/.exec(item.headerFrom)?.[1] || item.headerFrom;

/**
 * Under a message: allow or block its sender (this address or the whole domain), "Spam" and "Not spam",
 * as the session's capabilities allow; after a block, the offer to delete the sender's other messages.
 */
export function SenderTools({
  item,
  capabilities,
  sender,
  busy,
  progress,
  onDeleteOthers,
}: {
  item: MessageDetail['item'];
  capabilities: UserCapabilities;
  sender: ReturnType<typeof useSenderActions>;
  busy: boolean;
  progress: BatchProgress | null;
  onDeleteOthers: (ids: string[]) => void;
}) {
  const { t } = useI18n();
  const [scope, setScope] = useState<Scope>('address');
  const askRef = useRef<HTMLButtonElement>(null);
  const address = addressOf(item);
  const domain = address.split('@')[1];
  const { others } = sender;
  // The question takes the focus (once its buttons are enabled), so a keyboard user answers it at once.
  const off = busy || sender.busy;
  useEffect(() => {
    if (others && !off) askRef.current?.focus();
  }, [others, off]);
  const button = (label: MessageKey, onClick: () => void, look = '') => (
    <button type="button" class={`aq-btn ${look}`} disabled={off} onClick={onClick}>
      {t(label)}
    </button>
  );

  return (
    <>
      <div class="aq-actions aq-tools" role="group" aria-label={t('senderLists')}>
        {capabilities.senderLists && (
          <>
            <select class="aq-input" aria-label={t('sender')} value={scope} onChange={(e) => setScope(e.currentTarget.value as Scope)}>
              <option value="address">{address || '<>'}</option>
              {domain && <option value="domain">{t('wholeDomain', { domain })}</option>}
            </select>
            {button('allowSender', () => void sender.listSender('allow', scope))}
            {button('blockSender', () => void sender.listSender('block', scope), 'aq-btn--danger')}
          </>
        )}
        {capabilities.learn && (
          <>
            {button('t_spam', () => void sender.learnSpam())}
            {item.type === 'spam' && item.actions.includes('release') && button('notSpam', () => void sender.notSpam())}
          </>
        )}
      </div>
      {others && (
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
      )}
    </>
  );
}
