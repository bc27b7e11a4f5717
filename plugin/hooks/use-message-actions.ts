import { useRef, useState } from 'preact/hooks';
import type { BatchProgress } from '../../shared/batch';
import { errorText, runAction, summarizeBatch, type WidgetAction } from '../api/actions';
import type { ApiClient } from '../api/client';
import type { Status } from '../components/status-bar';
import { useI18n } from '../i18n';

/**
 * Runs an action on one message or a batch and reports the outcome as a status; while a batch runs,
 * `progress` says how many of how many are done. One run at a time: a second click while one runs is
 * ignored, so it cannot send a second batch. `run` resolves to true when the server answered (even with
 * some batch items failed), so the caller refreshes what it shows.
 */
export function useMessageActions(client: ApiClient, notify: (s: Status | null) => void) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<BatchProgress | null>(null);
  // The state above reaches the buttons a render later; this guard holds at once.
  const runningRef = useRef(false);

  const run = async (action: WidgetAction, ids: readonly string[]): Promise<boolean> => {
    const [first] = ids;
    if (first === undefined || runningRef.current) return false;
    runningRef.current = true;
    setBusy(true);
    try {
      if (ids.length === 1) {
        notify({ kind: 'success', text: t(await runAction(client, action, first)) });
      } else {
        setProgress({ done: 0, total: ids.length });
        const { done, failed } = summarizeBatch((await client.batchWithProgress(action, [...ids], setProgress)).results);
        // Each distinct reason once, so "12 failed" says why without repeating itself.
        const reasons = [...new Set(failed.map((f) => f.message))].slice(0, 3).join('; ');
        const failures = failed.length ? `; ${t('batchFailed', { n: failed.length })}: ${reasons}` : '';
        notify({ kind: failed.length ? 'error' : 'success', text: `${t('batchDone', { n: done })}${failures}` });
      }
      return true;
    } catch (err) {
      notify({ kind: 'error', text: errorText(err, t) });
      return false;
    } finally {
      runningRef.current = false;
      setBusy(false);
      setProgress(null);
    }
  };

  return { busy, progress, run };
}
