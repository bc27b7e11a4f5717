import type { ComponentChildren } from 'preact';
import type { SessionResponse } from '../../shared/session';
import { useI18n } from '../i18n';

/** The screens a signed-in user can switch between; requests, sender lists and audit only with the capability, the spam filter and statistics for all. */
export type Tab = 'list' | 'requests' | 'senders' | 'policy' | 'stats' | 'audit';

/**
 * The title, the tabs the session's capabilities allow, and who is signed in. `embedded` (a webmail that
 * shows the title and signs its users in and out, like Roundcube): no title and no Sign out. `children`
 * (the status line) sit between the tabs and the user, where a wide header has room: no band of its own.
 */
export function AppHeader({
  session,
  embedded = false,
  current,
  onTab,
  onSignOut,
  children,
}: {
  session: SessionResponse | null | undefined;
  embedded?: boolean | undefined;
  current: Tab | 'message';
  onTab: (tab: Tab) => void;
  onSignOut: () => void;
  children?: ComponentChildren;
}) {
  const { t } = useI18n();
  const caps = session?.capabilities;
  const tab = (name: Tab, label: string) => (
    <button type="button" class="aq-tab" aria-current={current === name ? 'page' : undefined} onClick={() => onTab(name)}>
      {label}
    </button>
  );
  return (
    <header class="aq-header">
      {!embedded && <h2 class="aq-title">{t('title')}</h2>}
      {caps && (
        <nav class="aq-tabs" aria-label={t('title')}>
          {tab('list', t('title'))}
          {caps.decideRequests && tab('requests', t('requests'))}
          {caps.senderLists && tab('senders', t('senderLists'))}
          {tab('policy', t('spamFilter'))}
          {tab('stats', t('stats'))}
          {caps.readAudit && tab('audit', t('audit'))}
        </nav>
      )}
      {children}
      {session && (
        <span class="aq-user">
          <span class="aq-muted">{session.user.email}</span>
          {!embedded && (
            <button type="button" class="aq-btn aq-btn--link" onClick={onSignOut}>
              {t('signOut')}
            </button>
          )}
        </span>
      )}
    </header>
  );
}
