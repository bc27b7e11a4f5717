import type { BatchAction } from '../../shared/actions';
import type { BatchItemResult } from '../../shared/release';
import type { SessionUser } from '../../shared/session';
import { AppError } from '../errors';
import type { ReleaseRequestService } from './release-requests';
import type { ReleaseService } from './release';

/** What a copy's status is after each batch action succeeded. */
const DONE = { release: 'released', delete: 'deleted', request: 'requested' } as const;

/**
 * Runs one action over many ids, each on its own: one failure does not stop the others, and each id
 * goes through exactly the checks (scope, policy, rs guard; CSRF in front) of the single action.
 */
export async function runBatch(
  deps: { release: ReleaseService; requests: ReleaseRequestService },
  user: SessionUser,
  action: BatchAction,
  ids: string[],
): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  const act = (id: string): Promise<unknown> =>
    action === 'release' ? deps.release.release(user, id) : action === 'delete' ? deps.release.remove(user, id) : deps.requests.request(user, id);
  // A few at a time: amavisd serves a handful of AM.PDP children, and each release holds a row lock.
  const queue = [...new Set(ids)];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        await act(id);
        results.push({ id, ok: true, status: DONE[action] });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push({ id, ok: false, code: err.code, message: err.message, httpStatus: err.status });
      }
    }
  };
  await Promise.all(Array.from({ length: 3 }, worker));
  const order = new Map(ids.map((id, i) => [id, i]));
  return results.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}
