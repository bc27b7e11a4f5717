import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AuditChunk } from './chunks/audit';
import type { MessageChunk } from './chunks/message';
import type { PolicyChunk } from './chunks/policy';
import type { RequestsChunk } from './chunks/requests';
import type { SendersChunk } from './chunks/senders';
import type { StatsChunk } from './chunks/stats';
import { AppHeader, type Tab } from './components/app-header';
import { QuarantineList } from './components/quarantine-list';
import { lazyView } from './components/lazy-view';
import { SignIn } from './components/sign-in';
import { StatusBar, type Status } from './components/status-bar';
import { EMPTY_STATE, readState, writeState, type ListState } from './hooks/hash-state';
import type { ListFocus } from './hooks/use-list-focus';
import { useSession } from './hooks/use-session';
import { createI18n, I18nContext, pickLocale } from './i18n';
import { useCatalog } from './i18n/use-catalog';
import type { MountOptions } from './options';
import { administers } from './api/owners';

export type AppProps = MountOptions;

// The message view and the secondary screens, each in a chunk of its own loaded when first opened (plugin/scripts/build.ts).
const MessageView = lazyView('message', (c: MessageChunk) => c.MessageView);
const StatsView = lazyView('stats', (c: StatsChunk) => c.StatsView);
const SpamPolicyView = lazyView('policy', (c: PolicyChunk) => c.SpamPolicyView);
const SenderListsView = lazyView('senders', (c: SendersChunk) => c.SenderListsView);
const RequestsView = lazyView('requests', (c: RequestsChunk) => c.RequestsView);
const AuditView = lazyView('audit', (c: AuditChunk) => c.AuditView);

// `from`: the screen a message was opened from, when it is not the list (an admin's requests).
type View = { name: Tab } | { name: 'message'; id: string; next?: string | undefined; from?: Tab };

/** The request an admin's notification links to: the page's URL ends in `#aq-request=<id>`. */
const linkedRequest = (): number | undefined => Number(/^#aq-request=(\d+)$/.exec(location.hash)?.[1]) || undefined;

/** The widget: sign-in, then the quarantine, a message, and the requests and audit log for those allowed. */
export function App({ api, locale, ssoToken, user, dates, embedded, state = 'hash' }: AppProps) {
  const { timeZone, dateFormat, timeFormat } = dates ?? {};
  const catalog = useCatalog(pickLocale(locale));
  const i18n = useMemo(() => createI18n(locale, { timeZone, dateFormat, timeFormat }, catalog), [locale, timeZone, dateFormat, timeFormat, catalog]);
  const { client, session, expired, signedIn, signOut } = useSession(api, ssoToken, user);
  // Where an admin may make an entry for a whole domain: a domain admin's domains, any for a super user.
  const adminOf = (domain: string) => !!session && administers(session.user, domain);
  // Most users open a message next: its chunk loads while they look at the list.
  useEffect(() => void (session && MessageView.preload()), [session]);
  const [linked] = useState(linkedRequest);
  // The list's state and the open message, as a reload finds them (hash-state.ts).
  const [kept] = useState(() => (state === 'hash' && !linked ? readState() : EMPTY_STATE));
  const listStateRef = useRef<ListState>(kept);
  const keep = (patch: Partial<ListState>) => {
    listStateRef.current = { ...listStateRef.current, ...patch };
    if (state === 'hash') writeState(listStateRef.current);
  };
  // Non-admins have no requests view and see the list instead.
  const [view, setViewOnly] = useState<View>(linked ? { name: 'requests' } : kept.open ? { name: 'message', id: kept.open } : { name: 'list' });
  // Counts the changes a message view made, so that the list beside it loads afresh.
  const [changes, setChanges] = useState(0);
  const opened = view.name === 'message' && !view.from ? view.id : undefined;
  useEffect(() => keep({ open: opened }), [opened]); // eslint-disable-line react-hooks/exhaustive-deps -- keep writes the latest state
  const [status, setStatus] = useState<Status | null>(null);
  // A status belongs to the view it was said in: it does not follow the user into the next one.
  const setView = (next: View) => {
    setStatus(null);
    setViewOnly(next);
  };
  // Where focus goes when the list appears: the search after sign-in, the message just left after
  // "back". Never on page load: a widget must not take the focus from its host page.
  const [listFocus, setListFocus] = useState<ListFocus | undefined>(undefined);
  const notify = useCallback((next: Status | null) => setStatus(next), []);

  // Focus goes back to the message left, or to the one after it when an action took it out of the list.
  const backToList = (deleted?: boolean) => {
    if (view.name === 'message' && view.from) return setView({ name: view.from });
    if (view.name === 'message') setListFocus({ item: view.id, next: view.next });
    // "Message deleted." is said in the list it returns to.
    (deleted ? setViewOnly : setView)({ name: 'list' });
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

  // German and French users wait for their strings (a chunk, loaded in parallel with the session).
  if (!catalog) return <div class="aq-root" lang={i18n.locale} aria-busy="true" />;
  return (
    <I18nContext.Provider value={i18n}>
      <div class={`aq-root${embedded ? ' aq-root--embedded' : ''}`} lang={i18n.locale} onKeyDown={onKeyDown}>
        <AppHeader
          session={session}
          embedded={embedded}
          current={view.name}
          onTab={(name) => setView({ name })}
          onSignOut={() => void signOut().then(() => setView({ name: 'list' }))}
        >
          <StatusBar status={status} />
        </AppHeader>
        <main class="aq-body">
          {session === undefined ? (
            <p class="aq-muted" role="status">
              {i18n.t('loading')}
            </p>
          ) : session === null ? (
            <SignIn
              client={client}
              expired={expired}
              username={user}
              onSignedIn={(s) => {
                setListFocus({ search: true });
                signedIn(s);
                setStatus(null);
              }}
            />
          ) : view.name === 'message' && view.from ? (
            <MessageView client={client} id={view.id} capabilities={session.capabilities} adminOf={adminOf} notify={notify} onBack={backToList} />
          ) : view.name === 'requests' && session.capabilities.decideRequests ? (
            <RequestsView client={client} notify={notify} linked={linked} onOpen={(id) => setView({ name: 'message', id, from: 'requests' })} />
          ) : view.name === 'senders' && session.capabilities.senderLists ? (
            <SenderListsView client={client} user={session.user} notify={notify} />
          ) : view.name === 'policy' ? (
            <SpamPolicyView client={client} user={session.user} digest={session.capabilities.digest === true} />
          ) : view.name === 'stats' ? (
            <StatsView client={client} user={session.user} />
          ) : view.name === 'audit' && session.capabilities.readAudit ? (
            <AuditView client={client} />
          ) : (
            // As Roundcube's mail view: the list, and the open message beside it on a wide widget, over it on a narrow one.
            <div class={`aq-mail${opened ? ' aq-mail--open' : ''}`}>
              <QuarantineList
                client={client}
                capabilities={session.capabilities}
                notify={notify}
                focus={listFocus}
                open={opened}
                changes={changes}
                initial={() => listStateRef.current}
                onState={keep}
                onOpen={(id, next) => setView({ name: 'message', id, next })}
              />
              {opened && (
                <MessageView
                  key={opened}
                  client={client}
                  id={opened}
                  capabilities={session.capabilities}
                  adminOf={adminOf}
                  notify={notify}
                  onBack={backToList}
                  onChanged={() => setChanges((n) => n + 1)}
                />
              )}
            </div>
          )}
        </main>
      </div>
    </I18nContext.Provider>
  );
}
