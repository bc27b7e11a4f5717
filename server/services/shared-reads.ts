/**
 * Identical reads that arrive together share one run. A caller never joins a run that started before it
 * arrived: while a read of a key is running, callers of that key wait for the next run, which starts when
 * the running one settles and serves them all. So every answer is read after its request came in, as if
 * each had run alone (read-your-writes holds), yet a key costs at most one running read and one waiting
 * at any time, however many callers ask for it (a user's tabs, a widget and its webmail, many sessions).
 *
 * A run stops (its signal aborts) only when every caller waiting for it has gone away; a caller that goes
 * away alone is answered nothing and leaves the others their answer.
 */
export interface SharedReads {
  /** The result of `read` for `key`, run after this call, shared with the callers of `key` meanwhile. */
  run<T>(key: string, caller: AbortSignal | undefined, read: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Keys with a run under way or waiting (for the tests: it is empty once everything has settled). */
  readonly size: number;
}

interface Run {
  /** The callers still waiting for this run; when it falls to 0 before the run settles, the run is stopped. */
  waiting: number;
  readonly stop: AbortController;
  readonly result: Promise<unknown>;
  start: () => void;
}

interface Slot {
  running: Run | undefined;
  next: Run | undefined;
}

export function createSharedReads(options: { gone?: () => Error } = {}): SharedReads {
  const gone = options.gone ?? (() => new Error('the caller went away'));
  const slots = new Map<string, Slot>();

  function newRun(key: string, slot: Slot, read: (signal: AbortSignal) => Promise<unknown>): Run {
    const stop = new AbortController();
    let start!: () => void;
    const result = new Promise<unknown>((resolve, reject) => {
      start = () => {
        slot.running = run;
        slot.next = undefined;
        // Aborted while it waited: every caller has gone, so nothing runs.
        const work = stop.signal.aborted ? Promise.reject(gone()) : Promise.resolve().then(() => read(stop.signal));
        // The slot moves on before the callers hear the answer, so a caller that asks again at once gets a fresh run.
        work.finally(() => settled(key, slot)).then(resolve, reject);
      };
    });
    // A rejection nobody waits for any more (every caller went away) is not an unhandled one.
    result.catch(() => undefined);
    const run: Run = { waiting: 0, stop, result, start };
    return run;
  }

  function settled(key: string, slot: Slot): void {
    slot.running = undefined;
    if (slot.next) slot.next.start();
    else slots.delete(key);
  }

  return {
    get size() {
      return slots.size;
    },
    run<T>(key: string, caller: AbortSignal | undefined, read: (signal: AbortSignal) => Promise<T>): Promise<T> {
      if (caller?.aborted) return Promise.reject(gone());
      let slot = slots.get(key);
      if (!slot) {
        slot = { running: undefined, next: undefined };
        slots.set(key, slot);
      }
      // A waiting run whose callers have all gone away never starts: a newcomer gets a run of its own.
      let run = slot.next?.stop.signal.aborted ? undefined : slot.next;
      if (!run) {
        run = newRun(key, slot, read);
        if (slot.running) slot.next = run;
        else run.start();
      }
      const joined = run;
      joined.waiting++;
      if (!caller) return joined.result as Promise<T>;
      return new Promise<T>((resolve, reject) => {
        const leave = () => {
          joined.waiting--;
          if (joined.waiting === 0) joined.stop.abort();
          reject(gone());
        };
        caller.addEventListener('abort', leave, { once: true });
        joined.result.finally(() => caller.removeEventListener('abort', leave)).then((value) => resolve(value as T), reject);
      });
    },
  };
}
