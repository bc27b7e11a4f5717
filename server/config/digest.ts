import { z } from 'zod';
import { DIGEST_FREQUENCIES, type DigestFrequency } from '../../shared/digest';
import { milliseconds, positiveInt, type EnvOf } from './fields';

/** Digests of newly quarantined mail (README, "Digests"). */
export interface DigestConfig {
  digest: {
    /** The frequency where neither the user, their domain nor the site set one. */
    defaultFrequency: DigestFrequency;
    /** How often this instance's scheduler looks for due digests; 0: never (cron runs `npm run digest`). */
    intervalMs: number;
    /** Messages listed in one digest; the rest are counted ("and N more") and the webmail link shows them. */
    maxEntries: number;
    /** The public address of this API (…/api), for the signed action links; without it, a digest has only the webmail link. */
    apiUrl: string | undefined;
  };
}

/** AQ_DIGEST_DEFAULT, AQ_DIGEST_INTERVAL_MS, AQ_DIGEST_MAX_ENTRIES and AQ_API_URL. */
export const digestFields = {
  AQ_DIGEST_DEFAULT: z.enum(DIGEST_FREQUENCIES, { message: `AQ_DIGEST_DEFAULT must be one of ${DIGEST_FREQUENCIES.join(', ')}` }).optional(),
  AQ_DIGEST_INTERVAL_MS: milliseconds().optional(),
  AQ_DIGEST_MAX_ENTRIES: positiveInt('AQ_DIGEST_MAX_ENTRIES')
    .refine((n) => n <= 500, 'AQ_DIGEST_MAX_ENTRIES must be at most 500')
    .optional(),
  AQ_API_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'AQ_API_URL must be the public http(s) address of this API, e.g. https://mail.example.org/quarantine/api')
    .optional(),
};

/** The digest part of the Config. */
export function digestConfig(env: EnvOf<typeof digestFields>): DigestConfig {
  return {
    digest: {
      defaultFrequency: env.AQ_DIGEST_DEFAULT ?? 'daily',
      intervalMs: env.AQ_DIGEST_INTERVAL_MS ?? 300_000,
      maxEntries: env.AQ_DIGEST_MAX_ENTRIES ?? 50,
      apiUrl: env.AQ_API_URL?.replace(/\/+$/, ''),
    },
  };
}
