import { z } from 'zod';
import { bool, type EnvOf } from './fields';

/** What users may do with their own spam policy (amavis's policy table), and what amavisd.conf says when no row does. */
export interface SpamPolicyConfig {
  /** AQ_POLICY_USER_EDIT: plain users may change their own levels and spam_lover. */
  userEdit: boolean;
  /** AQ_POLICY_MIN_KILL / AQ_POLICY_MAX_KILL: the range of the tag2 and kill levels a plain user may set. */
  minLevel: number;
  maxLevel: number;
  /** AQ_POLICY_DEFAULT_TAG/TAG2/KILL: amavisd.conf's $sa_*_level_deflt, shown as the defaults; null = unknown to us. */
  defaults: { spam_tag_level: number | null; spam_tag2_level: number | null; spam_kill_level: number | null };
}

/** A SpamAssassin score setting (decimals and negatives allowed). */
const score = (name: string) =>
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, `${name} must be a number, e.g. 6.31`)
    .transform(Number)
    .optional();

export const spamPolicyFields = {
  AQ_POLICY_USER_EDIT: bool('AQ_POLICY_USER_EDIT', true),
  AQ_POLICY_MIN_KILL: score('AQ_POLICY_MIN_KILL'),
  AQ_POLICY_MAX_KILL: score('AQ_POLICY_MAX_KILL'),
  AQ_POLICY_DEFAULT_TAG: score('AQ_POLICY_DEFAULT_TAG'),
  AQ_POLICY_DEFAULT_TAG2: score('AQ_POLICY_DEFAULT_TAG2'),
  AQ_POLICY_DEFAULT_KILL: score('AQ_POLICY_DEFAULT_KILL'),
};

const DEFAULT_MIN = 3;
const DEFAULT_MAX = 20;

/** A range whose minimum is above its maximum would let nobody set anything: refused at startup. */
export function checkSpamPolicySettings(env: EnvOf<typeof spamPolicyFields>, ctx: z.RefinementCtx): void {
  const min = env.AQ_POLICY_MIN_KILL ?? DEFAULT_MIN;
  const max = env.AQ_POLICY_MAX_KILL ?? DEFAULT_MAX;
  if (min > max) ctx.addIssue({ code: 'custom', path: ['AQ_POLICY_MIN_KILL'], message: `AQ_POLICY_MIN_KILL (${min}) must not be above AQ_POLICY_MAX_KILL (${max})` });
}

/** The spam policy part of the Config. */
export function spamPolicyConfig(env: EnvOf<typeof spamPolicyFields>): { spamPolicy: SpamPolicyConfig } {
  return {
    spamPolicy: {
      userEdit: env.AQ_POLICY_USER_EDIT,
      minLevel: env.AQ_POLICY_MIN_KILL ?? DEFAULT_MIN,
      maxLevel: env.AQ_POLICY_MAX_KILL ?? DEFAULT_MAX,
      defaults: {
        spam_tag_level: env.AQ_POLICY_DEFAULT_TAG ?? null,
        spam_tag2_level: env.AQ_POLICY_DEFAULT_TAG2 ?? null,
        spam_kill_level: env.AQ_POLICY_DEFAULT_KILL ?? null,
      },
    },
  };
}
