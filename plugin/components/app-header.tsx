import type { SessionResponse } from '../../shared/session';
import { useI18n } from '../i18n';

/** The screens a signed-in user can switch between; requests, sender lists and audit only with the capability, the spam filter and statistics for all. */
export type Tab = 'list' | 'requests' | 'senders' | 'policy' | 'stats' | 'audit';

/** The title, the tabs the session's capabilities allow, and who is signed in. */
export function AppHeader({
  session,
  current,
  onTab,
  onSignOut,
}: {
  session: SessionResponse | null | undefined;
  current: Tab | 'message';
  onTab: (tab: Tab) => void;
  onSignOut: () => void;
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
      <h2 class="aq-title">{t('title')}</h2>
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
      {session && (
        <span class="aq-user">
          <span class="aq-muted">{session.user.email}</span>
          <button type="button" class="aq-btn aq-btn--link" onClick={onSignOut}>
            {t('signOut')}
          </button>
        </span>
      )}
    </header>
  );
}
