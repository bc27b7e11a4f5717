import type { BatchAction } from '../../shared/actions';
import type { BatchItemResult } from '../../shared/release';
import type { SessionUser } from '../../shared/session';
import { AppError } from '../errors';
import type { ReleaseRequestService } from './release-requests';
import type { ReleaseService } from './release';

/** What a copy's status is after each batch action succeeded. */
const DONE = { release: 'released', delete: 'deleted', request: 'requested' } as const;

/** Ids worked on at once: amavisd serves a handful of AM.PDP children, and each release holds a row lock. */
const WORKERS = 3;

type Failure = Extract<BatchItemResult, { ok: false }>;

export interface BatchOptions {
  /** Told each id's result as it finishes, with how many are done so far. */
  onResult?: (result: BatchItemResult, done: number) => void;
  /** Once aborted (the server is shutting down), no further id is started; the started ones finish. */
  stop?: AbortSignal;
  /** Turns an error that is no AppError into that id's failure (and logs it); by default a generic `internal`. */
  onUnexpected?: (id: string, err: unknown) => Omit<Failure, 'id' | 'ok'>;
}

/** The message of an id a batch did not start because the server is shutting down. */
export const NOT_ATTEMPTED = 'not attempted: the server is shutting down; try again in a moment';

const internal = (): Omit<Failure, 'id' | 'ok'> => ({ code: 'internal', message: 'something went wrong on the server; the log has the details', httpStatus: 500 });

/**
 * Runs one action over many ids, each on its own: one failure does not stop the others, and each id
 * goes through exactly the checks (scope, policy, rs guard; CSRF in front) of the single action. Every
 * id gets a result, in the order sent; a copy already in the wished state counts as done, as the single
 * actions say.
 */
export async function runBatch(
  deps: { release: ReleaseService; requests: ReleaseRequestService },
  user: SessionUser,
  action: BatchAction,
  ids: string[],
  options: BatchOptions = {},
): Promise<BatchItemResult[]> {
  const unique = [...new Set(ids)];
  const results = new Map<string, BatchItemResult>();
  const act = (id: string): Promise<unknown> =>
    action === 'release' ? deps.release.release(user, id) : action === 'delete' ? deps.release.remove(user, id) : deps.requests.request(user, id);
  const settle = (result: BatchItemResult) => {
    results.set(result.id, result);
    options.onResult?.(result, results.size);
  };

  const queue = [...unique];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      if (options.stop?.aborted) {
        // Nothing was sent for this one: the client may simply try it again, on another instance.
        settle({ id, ok: false, code: 'busy', message: NOT_ATTEMPTED, httpStatus: 503 });
        continue;
      }
      try {
        await act(id);
        settle({ id, ok: true, status: DONE[action] });
      } catch (err) {
        // An unexpected error is this id's failure, never the batch's: the others' results (releases
        // that already went out among them) must reach the user.
        if (err instanceof AppError) settle({ id, ok: false, code: err.code, message: err.message, httpStatus: err.status });
        else settle({ id, ok: false, ...(options.onUnexpected?.(id, err) ?? internal()) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WORKERS, unique.length) }, worker));
  return unique.map((id) => results.get(id)!);
}
