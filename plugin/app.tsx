import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { SessionUser } from '../shared/session';
import { createApiClient } from './api/client';
import { AuditView } from './components/audit-view';
import { MessageView } from './components/message-view';
import { QuarantineList } from './components/quarantine-list';
import { RequestsView } from './components/requests-view';
import { SignIn } from './components/sign-in';
import { StatusBar, type Status } from './components/status-bar';
import { createI18n, I18nContext } from './i18n';

export interface AppProps {
  api: string;
  locale?: string | undefined;
  ssoToken?: string | undefined;
}

/** The address a single sign-on token is for (its first part is base64url(email)); not verified here. */
const ssoEmail = (token: string) => {
  try {
    return atob((token.split('.')[0] ?? '').replace(/-/g, '+').replace(/_/g, '/')).toLowerCase();
  } catch {
    return '';
  }
};

type View = { name: 'list' } | { name: 'message'; id: string } | { name: 'requests' } | { name: 'audit' };

/** The widget: sign-in, then the quarantine, a message, and for admins the requests and the audit log. */
export function App({ api, locale, ssoToken }: AppProps) {
  const i18n = useMemo(() => createI18n(locale), [locale]);
  // undefined while the existing session is being checked, null when signed out.
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [view, setView] = useState<View>({ name: 'list' });
  const [status, setStatus] = useState<Status | null>(null);
  // Where focus goes when the list appears: the search after sign-in, the message just left after
  // "back". Never on page load: a widget must not take the focus from its host page.
  const [listFocus, setListFocus] = useState<{ search: true } | { item: string } | undefined>(undefined);
  const client = useMemo(
    () =>
      createApiClient(api, () => {
        setUser(null);
        setExpired(true);
      }),
    [api],
  );
  const notify = useCallback((next: Status | null) => setStatus(next), []);

  useEffect(() => {
    const session = () => client.session().then((s) => s.user);
    // With a webmail's token, sign in by it (it replaces any session: the webmail user may have changed).
    // If that fails, an existing session counts only if it is the token's user; else the password form.
    const signedIn = ssoToken
      ? client.sso(ssoToken).then(
          (s) => s.user,
          async (err: Error) => {
            console.warn(`amavis-quarantine: single sign-on failed: ${err.message}`);
            const user = await session();
            if (user.email !== ssoEmail(ssoToken)) throw err;
            return user;
          },
        )
      : session();
    signedIn.then(setUser, () => setUser(null));
  }, [client, ssoToken]);

  const signOut = async () => {
    await client.signOut().catch(() => undefined);
    setUser(null);
    setExpired(false);
    setView({ name: 'list' });
  };

  const backToList = () => {
    if (view.name === 'message') setListFocus({ item: view.id });
    setView({ name: 'list' });
  };

  // `/` searches and Esc goes back, wherever the focus is inside the widget (but not while typing).
  const onKeyDown = (e: KeyboardEvent) => {
    const typing = (e.target as HTMLElement).matches?.('input, textarea, select');
    if (e.key === 'Escape' && view.name !== 'list') {
      e.preventDefault();
      backToList();
    } else if (e.key === '/' && !typing) {
      const search = (e.currentTarget as HTMLElement).querySelector<HTMLInputElement>('input[type="search"]');
      if (search) {
        e.preventDefault();
        search.focus();
      }
    }
  };

  const tab = (name: 'list' | 'requests' | 'audit', label: string) => (
    <button type="button" class="aq-tab" aria-current={view.name === name ? 'page' : undefined} onClick={() => setView({ name } as View)}>
      {label}
    </button>
  );

  return (
    <I18nContext.Provider value={i18n}>
      <div class="aq-root" lang={i18n.locale} onKeyDown={onKeyDown}>
        <header class="aq-header">
          <h2 class="aq-title">{i18n.t('title')}</h2>
          {user && user.role !== 'user' && (
            <nav class="aq-tabs" aria-label={i18n.t('title')}>
              {tab('list', i18n.t('title'))}
              {tab('requests', i18n.t('requests'))}
              {user.role === 'super' && tab('audit', i18n.t('audit'))}
            </nav>
          )}
          {user && (
            <span class="aq-user">
              <span class="aq-muted">{user.email}</span>
              <button type="button" class="aq-btn aq-btn--link" onClick={signOut}>
                {i18n.t('signOut')}
              </button>
            </span>
          )}
        </header>
        <StatusBar status={status} onClose={() => setStatus(null)} />
        <main class="aq-body">
          {user === undefined ? (
            <p class="aq-muted" role="status">
              {i18n.t('loading')}
            </p>
          ) : user === null ? (
            <SignIn
              client={client}
              expired={expired}
              onSignedIn={(u) => {
                setListFocus({ search: true });
                setUser(u);
                setExpired(false);
                setStatus(null);
              }}
            />
          ) : view.name === 'message' ? (
            <MessageView client={client} user={user} id={view.id} notify={notify} onBack={backToList} />
          ) : view.name === 'requests' ? (
            <RequestsView client={client} notify={notify} />
          ) : view.name === 'audit' ? (
            <AuditView client={client} />
          ) : (
            <QuarantineList client={client} user={user} notify={notify} focus={listFocus} onOpen={(id) => setView({ name: 'message', id })} />
          )}
        </main>
      </div>
    </I18nContext.Provider>
  );
}
