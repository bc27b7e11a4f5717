import { useRef, useState } from 'preact/hooks';
import type { NotSpamStep } from '../../shared/learning';
import type { BlockSenderResponse, SenderListChange, SenderListName } from '../../shared/sender-lists';
import { errorText } from '../api/actions';
import type { ApiClient, Scope } from '../api/client';
import type { Status } from '../components/status-bar';
import { useI18n, type I18n } from '../i18n';

const STEP = { release: 'release', learn: 'step_learn', allow: 'allowSender' } as const;

/** Every step of "Not spam" in words, done or not, so that nothing is skipped silently. */
export const stepsText = (steps: readonly NotSpamStep[], t: I18n['t']): string =>
  steps.map((s) => `${t(STEP[s.step])}: ${t(`st_${s.status}`)}${s.status !== 'done' && s.detail ? ` (${s.detail})` : ''}`).join(' · ');

/**
 * Allow or block a message's sender, learn it as spam, or "Not spam" (release, learn as ham, allow), each
 * reported as a status. After a block, `others` holds the sender's other quarantined messages, for the
 * caller to offer deleting them. One at a time, like the message actions.
 */
export function useSenderActions(client: ApiClient, id: string, notify: (s: Status | null) => void, onChanged: () => Promise<void>) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [others, setOthers] = useState<BlockSenderResponse['others'] | null>(null);
  const runningRef = useRef(false);

  const guard = async (work: () => Promise<void>) => {
    if (runningRef.current) return;
    runningRef.current = true;
    setBusy(true);
    setOthers(null);
    try {
      await work();
    } catch (err) {
      notify({ kind: 'error', text: errorText(err, t) });
    } finally {
      runningRef.current = false;
      setBusy(false);
    }
  };

  const listSender = (list: SenderListName, scope: Scope, forDomain = false) =>
    guard(async () => {
      const change: Partial<BlockSenderResponse> & SenderListChange =
        list === 'allow' ? await client.allowSender(id, scope, forDomain) : await client.blockSender(id, scope, forDomain);
      // An entry for a whole domain says so: "Sender allowed for everyone at example.com: x@y".
      const { sender, for: owner } = change.entry;
      const domain = owner.kind === 'domain' || owner.kind === 'subdomains' ? owner.key.replace(/^@\.?/, '') : '';
      notify({ kind: 'success', text: t(`${list === 'allow' ? 'allowed' : 'blocked'}${domain ? 'For' : ''}`, { sender, domain }) });
      if (change.others?.count) setOthers(change.others);
    });

  const learnSpam = () =>
    guard(async () => {
      const { outcome, detail } = await client.learn(id, 'spam');
      notify({ kind: outcome === 'learned' ? 'success' : outcome === 'already' ? 'info' : 'error', text: t(`learn_${outcome}`, { detail }) });
    });

  const notSpam = () =>
    guard(async () => {
      const { steps } = await client.notSpam(id);
      const failed = steps.some((s) => s.status === 'failed');
      const kind = failed ? 'error' : steps.every((s) => s.status === 'done') ? 'success' : 'info';
      notify({ kind, text: `${t('notSpam')}: ${stepsText(steps, t)}` });
      await onChanged();
    });

  return { busy, others, dismissOthers: () => setOthers(null), listSender, learnSpam, notSpam };
}
