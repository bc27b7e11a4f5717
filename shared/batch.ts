import type { BatchItemResult } from './release';

/**
 * The media type a client puts in `Accept` on POST /api/messages/batch to see the batch's progress:
 * the answer is then one JSON object a line (NDJSON) as each id is done, on the same request.
 */
export const BATCH_PROGRESS_TYPE = 'application/x-ndjson';

/**
 * One line of a batch's progress. `start` comes first, then one `result` per id in the order the ids
 * finished (`done` counts 1, 2, … `total`), then `end` with every id's result in the order sent.
 */
export type BatchProgressLine =
  { type: 'start'; total: number } | { type: 'result'; done: number; total: number; result: BatchItemResult } | { type: 'end'; results: BatchItemResult[] };

/** What the widget is told while a batch runs: how many of how many are done. */
export interface BatchProgress {
  done: number;
  total: number;
}
