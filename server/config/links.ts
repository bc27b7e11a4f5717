import { z } from 'zod';
import { positiveInt, type EnvOf } from './fields';

/** Self-service links that we sign ourselves: the secret, and how long a link we make stays valid. */
export interface LinkConfig {
  links: { secret: string | undefined; maxAgeDays: number };
}

/** AQ_LINK_SECRET and AQ_LINK_MAX_AGE_DAYS. Without the secret, only amavis's plain (view-only) links work. */
export const linkFields = {
  AQ_LINK_SECRET: z.string().min(32, 'AQ_LINK_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  AQ_LINK_MAX_AGE_DAYS: positiveInt('AQ_LINK_MAX_AGE_DAYS').optional(),
};

/** The links part of the Config. */
export function linkConfig(env: EnvOf<typeof linkFields>): LinkConfig {
  return { links: { secret: env.AQ_LINK_SECRET, maxAgeDays: env.AQ_LINK_MAX_AGE_DAYS ?? 14 } };
}
