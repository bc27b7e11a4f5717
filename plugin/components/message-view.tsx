import { useEffect, useRef } from 'preact/hooks';
import type { UserCapabilities } from '../../shared/session';
import { errorText, type WidgetAction } from '../api/actions';
import type { ApiClient } from '../api/client';
import { warningFor } from '../api/risks';
import { useMessage } from '../hooks/use-message';
import { useMessageActions } from '../hooks/use-message-actions';
import { useSenderActions } from '../hooks/use-sender-actions';
import { useI18n } from '../i18n';
import { AdminRelease } from './admin-release';
import { ConfirmBar } from './confirm-bar';
import { MessageDetails } from './message-details';
import { MessageToolbar, type AdminTarget } from './message-toolbar';
import { OthersAsk } from './others-ask';
import type { Status } from './status-bar';

const NO_CAPABILITIES: UserCapabilities = { decideRequests: false, readAudit: false, seesOthersMail: false };
const ACTION_KEYS: Record<string, WidgetAction> = { r: 'release', d: 'delete', q: 'request' };
// Focus is lost when its element left the page or was disabled (a busy toolbar): it then goes to "back".
const focusLost = (el: Element | null | undefined) => !el || el === document.body || !el.isConnected || (el as HTMLButtonElement).disabled;

/** One quarantined message: who sent it, why it was held, its body (sandboxed), and what to do. */
export function MessageView({
  client,
  id,
  capabilities = NO_CAPABILITIES,
  adminOf,
  notify,
  onBack,
  onChanged,
}: {
  client: ApiClient;
  id: string;
  capabilities?: UserCapabilities;
  /** Whether the session user administers a domain (a domain admin's own, or any for a super user). */
  adminOf?: ((domain: string) => boolean) | undefined;
  notify: (s: Status | null) => void;
  /** `deleted`: the message was just deleted (the list then focuses the message after it). */
  onBack: (deleted?: boolean) => void;
  /** An action changed the message (the list beside it loads afresh). */
  onChanged?: (() => void) | undefined;
}) {
  const { t } = useI18n();
  const { detail, error, reload } = useMessage(client, id);
  const actions = useMessageActions(client, notify);
  const sender = useSenderActions(client, id, notify, reload);
  const backRef = useRef<HTMLButtonElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const settled = detail !== null || error !== null;

  // Once the message is in (or failed), focus "back": Esc and Enter both leave from there.
  useEffect(() => {
    if (settled) backRef.current?.focus();
  }, [settled]);
  const refocus = () => {
    if (focusLost((backRef.current?.getRootNode() as Document | ShadowRoot | undefined)?.activeElement)) backRef.current?.focus();
  };
  // After a sender action (its button was disabled meanwhile), unless the question after a block took the focus.
  const wasBusyRef = useRef(false);
  useEffect(() => {
    if (wasBusyRef.current && !sender.busy) refocus();
    wasBusyRef.current = sender.busy;
  }, [sender.busy]);

  // A virus, a blocked attachment or phishing is released only after the user confirmed the risk. After
  // an action the view shows the message's new state in place; focus stays on the view (on "back" when
  // the button it was on is gone).
  const act = (action: WidgetAction) =>
    detail &&
    actions.ask(action, [id], warningFor(action, [detail.item], t, detail), (results) => {
      if (!results) return;
      onChanged?.();
      if (action === 'delete' && results[0]?.ok) return onBack(true);
      void reload().then(refocus);
    });
  // An admin's release from "More": the panel below opens on its address field, or asks about every recipient.
  const adminRelease = (target: AdminTarget) => {
    const panel = sectionRef.current?.querySelector<HTMLDetailsElement>('details.aq-admin-release');
    if (!panel) return;
    panel.open = true;
    if (target === 'to') panel.querySelector<HTMLInputElement>('input[name="to"]')?.focus();
    else panel.querySelector<HTMLButtonElement>('[data-aq-release-all]')?.click();
  };
  const { status, releaseState } = detail?.item ?? {};

  // After a release that got no answer, only an explicit second click sends it again.
  const releaseAgain = async () => {
    try {
      await client.release(id, true);
      notify({ kind: 'success', text: t('released') });
      await reload();
    } catch (err) {
      notify({ kind: 'error', text: errorText(err, t) });
    }
  };

  // r releases, d deletes, q requests, as in the list, when allowed (Esc, handled above, goes back).
  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).matches('input, textarea, select') || e.ctrlKey || e.metaKey || e.altKey || actions.busy || actions.pending || sender.busy || !detail)
      return;
    const action = ACTION_KEYS[e.key];
    if (action && detail.item.actions.includes(action)) {
      e.preventDefault();
      act(action);
    }
  };

  return (
    <section class="aq-message" ref={sectionRef} aria-busy={!settled} onKeyDown={onKeyDown}>
      <div class="aq-msg-bar">
        <button type="button" class="aq-btn aq-back" ref={backRef} onClick={() => onBack()}>
          ← {t('back')}
        </button>
        {detail && (
          <>
            {(releaseState || (status && status !== 'new' && status !== 'viewed')) && (
              <span class="aq-badge aq-badge--state" data-aq-state={releaseState ? 'unknown' : status}>
                {t(releaseState ? 's_unknown' : `s_${status!}`)}
              </span>
            )}
            <MessageToolbar
              item={detail.item}
              capabilities={capabilities}
              adminOf={adminOf}
              busy={actions.busy || sender.busy}
              rawUrl={client.rawUrl(id)}
              sender={sender}
              onAction={act}
              onAdminRelease={adminRelease}
            />
          </>
        )}
      </div>
      {actions.pending && <ConfirmBar pending={actions.pending} onConfirm={actions.confirm} onCancel={actions.cancel} />}
      <OthersAsk
        sender={sender}
        busy={actions.busy}
        progress={actions.progress}
        onDeleteOthers={(ids) => void actions.run('delete', ids).then((ran) => ran && sender.dismissOthers())}
      />
      {detail && <AdminRelease client={client} item={detail.item} detail={detail} notify={notify} onDone={() => void reload()} />}
      {detail ? (
        <MessageDetails detail={detail} onReleaseAgain={() => void releaseAgain()} />
      ) : error ? (
        <p class="aq-status aq-status--error" role="alert">
          {errorText(error, t)}
        </p>
      ) : (
        <p class="aq-muted">{t('loading')}</p>
      )}
    </section>
  );
}
