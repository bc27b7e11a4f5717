import { useRef, useState } from 'preact/hooks';
import type { BatchProgress } from '../../shared/batch';
import type { ErrorCode } from '../../shared/errors';
import type { BatchItemResult } from '../../shared/release';
import { codeText, errorText, isWidgetAction, runAction, summarizeBatch, type ListAction } from '../api/actions';
import { ApiError, type ApiClient } from '../api/client';
import type { Status } from '../components/status-bar';
import { useI18n } from '../i18n';

/** An action that waits for the user's "yes": what it does, to which messages, and the risk in words. */
export interface PendingAction {
  action: ListAction;
  ids: readonly string[];
  text: string;
}

const DONE = {
  release: 'released',
  delete: 'deleted',
  request: 'requested',
  not_spam: 'not_spam',
  learn_spam: 'learned',
  allow_sender: 'allowed',
  block_sender: 'blocked',
} as const;

/**
 * Runs an action on one message or a batch and reports the outcome as a status: "Releasing…" first, then
 * what happened per outcome ("3 released; 2 failed: …"). While a batch runs, `progress` says how many of
 * how many are done. One run at a time: a second click while one runs is ignored, so it cannot send a
 * second batch. `ask` holds an action with a warning (a virus, a bulk delete) as `pending` until
 * `confirm`. `run` resolves to each message's result once the server answered (null when nothing is known),
 * so the caller shows each touched message's new state.
 */
export function useMessageActions(client: ApiClient, notify: (s: Status | null) => void) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<BatchProgress | null>(null);
  const [pending, setPending] = useState<PendingAction | null>(null);
  // The state above reaches the buttons a render later; this guard holds at once.
  const runningRef = useRef(false);
  const thenRef = useRef<(results: BatchItemResult[] | null) => void>(() => undefined);

  const run = async (action: ListAction, ids: readonly string[]): Promise<BatchItemResult[] | null> => {
    const [first] = ids;
    if (first === undefined || runningRef.current) return null;
    runningRef.current = true;
    setBusy(true);
    setPending(null);
    notify({ kind: 'info', text: t(`p_${action}`) });
    try {
      // One message: its own route, as the row's buttons do. The menu's extras always go through the batch.
      if (ids.length === 1 && isWidgetAction(action)) {
        notify({ kind: 'success', text: t(await runAction(client, action, first)) });
        return [{ id: first, ok: true, status: DONE[action] }];
      }
      setProgress({ done: 0, total: ids.length });
      const { results } = await client.batchWithProgress(action, [...ids], setProgress);
      const { done, already, failed } = summarizeBatch(results);
      // Each distinct reason once, with how many it hit, so "12 failed" says why without repeating itself.
      const reasons = new Map<string, number>();
      for (const f of failed) {
        const text = codeText(f.code, f.message, t);
        reasons.set(text, (reasons.get(text) ?? 0) + 1);
      }
      const why = [...reasons].map(([text, n]) => (reasons.size > 1 ? `${text} (${n})` : text)).join(' ');
      notify({
        kind: failed.length ? 'error' : done ? 'success' : 'info',
        // "2 learned as spam; 1 had already been learned; 1 failed: …", without a "0 learned" beside the others.
        text: [
          ...(done || (!already && !failed.length) ? [t(`b_${DONE[action]}`, { n: done })] : []),
          ...(already ? [t('b_already', { n: already })] : []),
          ...(failed.length ? [`${t('batchFailed', { n: failed.length })}: ${why}`] : []),
        ].join('; '),
      });
      return results;
    } catch (err) {
      notify({ kind: 'error', text: errorText(err, t) });
      // A single message the server answered about keeps its failure (e.g. the release's outcome is unknown).
      return ids.length === 1 && err instanceof ApiError && err.status > 0
        ? [{ id: first, ok: false, code: err.code as ErrorCode, message: err.message, httpStatus: err.status }]
        : null;
    } finally {
      runningRef.current = false;
      setBusy(false);
      setProgress(null);
    }
  };

  return {
    busy,
    progress,
    pending,
    run,
    /** Runs the action at once, or (with a warning) waits for `confirm`. */
    ask: (action: ListAction, ids: readonly string[], warning: string | undefined, then: (results: BatchItemResult[] | null) => void) => {
      if (runningRef.current || !ids.length) return;
      if (warning) {
        thenRef.current = then;
        setPending({ action, ids, text: warning });
      } else void run(action, ids).then(then);
    },
    confirm: () => pending && void run(pending.action, pending.ids).then(thenRef.current),
    cancel: () => setPending(null),
  };
}
