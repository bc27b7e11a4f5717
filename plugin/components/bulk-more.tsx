import type { BulkExtra } from '../api/actions';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/en';
import type { IconName } from './icons';
import { MoreMenu } from './more-menu';

const LABEL: Record<BulkExtra, MessageKey> = { not_spam: 'notSpam', learn_spam: 't_spam', allow_sender: 'allowSender', block_sender: 'blockSender' };
const ICON: Record<BulkExtra, IconName> = { not_spam: 'notSpam', learn_spam: 'spam', allow_sender: 'allow', block_sender: 'block' };

/**
 * The list's "More" for the selected messages: Not spam, Spam, Allow sender, Block sender, with the same
 * menu, icons and words as an open message's toolbar. It lives in the message chunk with them, so the
 * main file does not carry the menu.
 */
export function BulkMore({ extras, disabled, onExtra }: { extras: readonly BulkExtra[]; disabled: boolean; onExtra: (action: BulkExtra) => void }) {
  const { t } = useI18n();
  return (
    <MoreMenu
      id="aq-bulk-menu"
      label={t('moreActions')}
      entries={extras.map((action) => ({ key: action, label: t(LABEL[action]), icon: ICON[action], onSelect: () => onExtra(action) }))}
      disabled={disabled}
      tabIndex={0}
      onFocus={() => undefined}
      plain
    />
  );
}
