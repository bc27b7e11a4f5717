import { positiveInt, type EnvOf } from './fields';
import type { Config } from './types';

/**
 * The message view's worker pool: quarantined mail is parsed and its HTML sanitized in worker threads,
 * each message within a time limit and each worker within a heap limit, so that hostile mail cannot
 * freeze the server.
 */
export const viewFields = {
  AQ_VIEW_WORKERS: positiveInt('AQ_VIEW_WORKERS').optional(),
  AQ_VIEW_TIMEOUT_MS: positiveInt('AQ_VIEW_TIMEOUT_MS').optional(),
  AQ_VIEW_MEMORY_MB: positiveInt('AQ_VIEW_MEMORY_MB')
    .refine((n) => n >= 64, 'AQ_VIEW_MEMORY_MB must be at least 64')
    .optional(),
  AQ_VIEW_MAX_HTML_BYTES: positiveInt('AQ_VIEW_MAX_HTML_BYTES').optional(),
};

/** The view part of the Config. */
export function viewConfig(env: EnvOf<typeof viewFields>): Pick<Config, 'view'> {
  return {
    view: {
      workers: env.AQ_VIEW_WORKERS ?? 2,
      timeoutMs: env.AQ_VIEW_TIMEOUT_MS ?? 10_000,
      memoryMb: env.AQ_VIEW_MEMORY_MB ?? 256,
      maxHtmlBytes: env.AQ_VIEW_MAX_HTML_BYTES ?? 1024 * 1024,
    },
  };
}
