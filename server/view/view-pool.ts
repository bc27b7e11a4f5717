import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParsedMail } from '../services/mail-parse';
import type { HtmlBody } from './html-body';
import type { ViewPoolSettings } from './view-limits';

/** One message for a worker: its bytes (transferred, not copied) and what the view asks for. */
export interface ViewJob {
  id: number;
  raw: ArrayBuffer;
  withReceived: boolean;
  maxHtmlBytes: number;
}

/** A worker posts the parsed mail first, then the HTML; or says why the MIME could not be parsed. */
export type ViewReply =
  | { id: 0; stage: 'ready' }
  | { id: number; stage: 'mail'; mail: ParsedMail }
  | { id: number; stage: 'html'; body: HtmlBody; message?: string }
  | { id: number; stage: 'failed'; message: string };

/** What a view gets: the parsed mail (null when even that failed) and the HTML half. */
export interface ViewOutcome {
  mail: ParsedMail | null;
  body: HtmlBody;
}

/** The pool is full: more messages are waiting than it will queue. */
export class ViewPoolBusyError extends Error {
  constructor() {
    super('every view worker is busy');
    this.name = 'ViewPoolBusyError';
  }
}

/** Parses and sanitizes mail in worker threads, each job within a time limit and each worker within a heap limit. */
export interface ViewPool {
  parse(raw: Buffer, options: { withReceived: boolean }): Promise<ViewOutcome>;
  /** Terminates the workers; pending and later jobs fail with ViewPoolBusyError. */
  close(): Promise<void>;
}

interface Pending {
  job: ViewJob;
  mail: ParsedMail | null;
  resolve: (outcome: ViewOutcome) => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

// tsx runs the server from source, and vitest runs the tests: in both the worker is a .ts file. A
// worker thread gets neither vitest's transform nor, on Node 20, tsx's ESM hooks in time for its main
// module (`--import tsx` in execArgv fails with ERR_UNKNOWN_FILE_EXTENSION), so a one-line script
// loads the worker through tsx's require hook.
const WORKER_FILE = fileURLToPath(new URL('./view-worker.ts', import.meta.url));
const TSX_CJS_API = createRequire(import.meta.url).resolve('tsx/cjs/api');
const BOOT = `require(${JSON.stringify(TSX_CJS_API)}).require(${JSON.stringify(WORKER_FILE)}, ${JSON.stringify(WORKER_FILE)});`;
// A queue longer than this answers busy at once rather than after minutes.
const QUEUE_PER_WORKER = 16;

/** Creates the pool; workers start on first use and are replaced when one hits a limit. */
export function createViewPool(settings: ViewPoolSettings): ViewPool {
  const idle: Worker[] = [];
  const running = new Map<Worker, Pending>();
  const queue: Pending[] = [];
  const alive = new Set<Worker>();
  const ready = new Set<Worker>();
  let nextId = 1;
  let closed = false;

  function spawn(): Worker {
    const worker = new Worker(BOOT, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: settings.memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, settings.memoryMb / 8)) },
    });
    alive.add(worker);
    worker.on('message', (reply: ViewReply) => onReply(worker, reply));
    // An out-of-memory worker emits 'error' (ERR_WORKER_OUT_OF_MEMORY), then 'exit'; a crash only 'exit'.
    worker.on('error', (err: Error & { code?: string }) => retire(worker, err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'too_large' : 'too_complex', err));
    worker.on('exit', () => retire(worker, 'too_complex'));
    return worker;
  }

  function onReply(worker: Worker, reply: ViewReply) {
    if (reply.stage === 'ready') {
      // A job's time starts once its worker has loaded, not while tsx compiles the worker's code.
      ready.add(worker);
      idle.push(worker);
      dispatch();
      return;
    }
    const pending = running.get(worker);
    if (!pending || pending.job.id !== reply.id) return;
    if (reply.stage === 'mail') {
      pending.mail = reply.mail;
      return;
    }
    settle(worker, pending, reply.stage === 'html' ? { mail: pending.mail, body: reply.body } : { mail: null, body: failed('malformed') });
    idle.push(worker);
    dispatch();
  }

  /** A worker that hit a limit, crashed or was terminated: its job gets what was parsed so far. */
  function retire(worker: Worker, parseError: HtmlBody['parseError'], cause?: Error) {
    if (!alive.delete(worker)) return;
    if (!ready.delete(worker)) {
      // It never started (a broken install): fail what waits rather than respawn in a loop.
      for (const pending of queue.splice(0)) pending.reject(new Error(`the view worker did not start: ${cause?.message ?? 'it exited'}`));
      return;
    }
    const idleAt = idle.indexOf(worker);
    if (idleAt !== -1) idle.splice(idleAt, 1);
    const pending = running.get(worker);
    if (pending) settle(worker, pending, { mail: pending.mail, body: failed(parseError) });
    void worker.terminate();
    dispatch();
  }

  function settle(worker: Worker, pending: Pending, outcome: ViewOutcome) {
    clearTimeout(pending.timer);
    running.delete(worker);
    pending.resolve(outcome);
  }

  function dispatch() {
    while (!closed && queue.length > 0 && idle.length > 0) {
      const pending = queue.shift() as Pending;
      const worker = idle.pop() as Worker;
      running.set(worker, pending);
      pending.timer = setTimeout(() => retire(worker, 'too_complex'), settings.timeoutMs);
      worker.postMessage(pending.job, [pending.job.raw]);
    }
    // Start workers for what still waits, up to the pool's size (one starting worker per waiting job).
    while (!closed && alive.size < settings.workers && alive.size - ready.size < queue.length) spawn();
  }

  return {
    parse(raw, { withReceived }) {
      if (closed || queue.length >= settings.workers * QUEUE_PER_WORKER) return Promise.reject(new ViewPoolBusyError());
      // A copy the worker owns: the caller's Buffer may be a slice of a shared pool.
      const copy = new Uint8Array(raw.length);
      copy.set(raw);
      return new Promise<ViewOutcome>((resolve, reject) => {
        queue.push({ job: { id: nextId++, raw: copy.buffer, withReceived, maxHtmlBytes: settings.maxHtmlBytes }, mail: null, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new ViewPoolBusyError());
      const workers = [...alive];
      idle.length = 0;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

const failed = (parseError: HtmlBody['parseError']): HtmlBody => ({ html: null, remoteImages: 0, parseError });
