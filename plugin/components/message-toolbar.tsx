import { useState } from 'preact/hooks';
import type { QuarantineItem } from '../../shared/quarantine';
import type { UserCapabilities } from '../../shared/session';
import { offered, type WidgetAction } from '../api/actions';
import type { Scope } from '../api/client';
import type { useSenderActions } from '../hooks/use-sender-actions';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/en';
import { Icon, type IconName } from './icons';
import { MoreMenu, type MenuEntry } from './more-menu';
import { rovingIndex } from './roving';

/** Where an admin's release goes: to another address, or to every recipient the message was held for. */
export type AdminTarget = 'to' | 'all';

interface Tool {
  key: string;
  label: MessageKey;
  icon: IconName;
  run: () => void;
  action?: WidgetAction;
}

// The address the server acts on: the envelope sender, else the From header's address.
const addressOf = (item: QuarantineItem) => item.envelopeFrom || /<([^>]+)>/.exec(item.headerFrom)?.[1] || item.headerFrom;
/**
 * Above an open message, like Elastic's mail toolbar: icon buttons with their names, for what the server
 * allows on this message (its `actions`) and what the session may do (sender lists, learning), and "More"
 * for the rest. One tab stop (WAI-ARIA's toolbar): ← → Home End move between its buttons.
 */
export function MessageToolbar({
  item,
  capabilities,
  adminOf = () => false,
  busy,
  rawUrl,
  sender,
  onAction,
  onAdminRelease,
}: {
  item: QuarantineItem;
  capabilities: UserCapabilities;
  adminOf?: ((domain: string) => boolean) | undefined;
  busy: boolean;
  rawUrl: string;
  sender: ReturnType<typeof useSenderActions>;
  onAction: (action: WidgetAction) => void;
  onAdminRelease: (target: AdminTarget) => void;
}) {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const domain = addressOf(item).split('@')[1];
  const { senderLists: lists, learn } = capabilities;
  const list =
    (name: 'allow' | 'block', scope: Scope, forDomain = false) =>
    () =>
      void sender.listSender(name, scope, forDomain);
  // An admin's entry for everyone at the recipient's domain (the API's `for: 'domain'`), where they administer it.
  const rcptDomain = item.recipient.split('@')[1]?.toLowerCase();
  const forDomain = rcptDomain && adminOf(rcptDomain) ? rcptDomain : undefined;
  const acts = offered(item.actions);
  const action = (a: WidgetAction): Tool => ({ key: a, label: a, icon: a, action: a, run: () => onAction(a) });

  const tools: Tool[] = acts.filter((a) => a !== 'delete').map(action);
  if (learn && item.type === 'spam' && item.actions.includes('release'))
    tools.push({ key: 'notSpam', label: 'notSpam', icon: 'notSpam', run: () => void sender.notSpam() });
  if (acts.includes('delete')) tools.push(action('delete'));
  if (lists) tools.push({ key: 'block', label: 'blockSender', icon: 'block', run: list('block', 'address') });

  const entries: MenuEntry[] = [];
  if (lists) {
    entries.push({ key: 'allow', label: t('allowSender'), icon: 'allow', onSelect: list('allow', 'address') });
    if (domain)
      entries.push(
        { key: 'allowDomain', label: t('allowDomain', { domain }), icon: 'domain', onSelect: list('allow', 'domain') },
        { key: 'blockDomain', label: t('blockDomain', { domain }), icon: 'block', onSelect: list('block', 'domain') },
      );
    if (forDomain)
      entries.push(
        { key: 'allowForDomain', label: t('allowForDomain', { domain: forDomain }), icon: 'allow', onSelect: list('allow', 'address', true) },
        { key: 'blockForDomain', label: t('blockForDomain', { domain: forDomain }), icon: 'block', onSelect: list('block', 'address', true) },
      );
  }
  if (learn) entries.push({ key: 'spam', label: t('t_spam'), icon: 'spam', onSelect: () => void sender.learnSpam() });
  entries.push({ key: 'download', label: t('download'), icon: 'download', href: rawUrl });
  if (item.actions.includes('release_to')) entries.push({ key: 'releaseTo', label: t('releaseTo'), icon: 'releaseTo', onSelect: () => onAdminRelease('to') });
  if (item.actions.includes('release_all')) entries.push({ key: 'releaseAll', label: t('releaseAll'), icon: 'releaseAll', onSelect: () => onAdminRelease('all') });

  // The one button in the tab order: the last one focused, else the first.
  const active = [...tools.map((tool) => tool.key), 'more'].includes(current) ? current : (tools[0]?.key ?? 'more');
  const onKeyDown = (e: KeyboardEvent) => {
    const buttons = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('.aq-tb-btn:not(:disabled)')];
    const at = buttons.indexOf(e.target as HTMLElement);
    const to = at < 0 ? undefined : rovingIndex(e.key, at, buttons.length, 'horizontal');
    if (to === undefined) return;
    e.preventDefault();
    buttons[to]!.focus();
  };

  return (
    <div class="aq-tb" role="toolbar" aria-label={t('messageActions')} onKeyDown={onKeyDown}>
      {tools.map((tool) => (
        <button
          key={tool.key}
          type="button"
          class="aq-tb-btn"
          data-aq-action={tool.action}
          data-aq-tool={tool.key}
          tabIndex={tool.key === active ? 0 : -1}
          disabled={busy}
          onFocus={() => setCurrent(tool.key)}
          onClick={tool.run}
        >
          <Icon name={tool.icon} />
          <span class="aq-tb-label">{t(tool.label)}</span>
        </button>
      ))}
      <MoreMenu label={t('moreActions')} entries={entries} disabled={busy} tabIndex={active === 'more' ? 0 : -1} onFocus={() => setCurrent('more')} />
    </div>
  );
}
