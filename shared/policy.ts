/**
 * Spam policy per user and per domain: rows of amavis's own `policy` table, reached through `users.policy_id`.
 * amavisd reads them for every mail; per field, the highest-priority matching row whose field is not NULL
 * wins, and NULL falls through to the domain's row, then everyone's (`@.`), then amavisd.conf.
 */

/** SpamAssassin score levels: tag (add X-Spam headers), tag2 (declared spam), kill (blocked: quarantined or discarded). */
export const POLICY_LEVEL_FIELDS = ['spam_tag_level', 'spam_tag2_level', 'spam_kill_level'] as const;
/** Y/N flags; true is 'Y'. A lover gets that kind of mail delivered; a bypass skips the check. */
export const POLICY_FLAG_FIELDS = ['spam_lover', 'banned_files_lover', 'bad_header_lover', 'bypass_spam_checks', 'bypass_banned_checks'] as const;
/** Where blocked mail is quarantined (amavis's *_quarantine_to); '' quarantines none of it. */
export const POLICY_TEXT_FIELDS = ['spam_quarantine_to', 'banned_quarantine_to', 'bad_header_quarantine_to'] as const;
export const POLICY_FIELDS = [...POLICY_LEVEL_FIELDS, ...POLICY_FLAG_FIELDS, ...POLICY_TEXT_FIELDS] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];
export type PolicyValue = number | boolean | string;
/** Field → value; null means "not set here" (inherit). */
export type PolicyValues = Record<PolicyField, PolicyValue | null>;

/** What a plain user may change on their own addresses (when the admin allows it at all). */
export const USER_EDITABLE_FIELDS: readonly PolicyField[] = ['spam_tag_level', 'spam_tag2_level', 'spam_kill_level', 'spam_lover'];

export const POLICY_PRESETS = ['relaxed', 'normal', 'strict'] as const;
export type PolicyPreset = (typeof POLICY_PRESETS)[number];

/**
 * The presets set the two levels that decide a mail's fate. normal is amavisd's Debian default (6.31:
 * tagged and blocked at once); relaxed tags from 8 and blocks from 12 only; strict tags from 4 and blocks from 5.
 */
export const PRESET_LEVELS: Record<PolicyPreset, { spam_tag2_level: number; spam_kill_level: number }> = {
  relaxed: { spam_tag2_level: 8, spam_kill_level: 12 },
  normal: { spam_tag2_level: 6.31, spam_kill_level: 6.31 },
  strict: { spam_tag2_level: 4, spam_kill_level: 5 },
};

/** Whose policy: the signed-in user's own addresses, one address, a domain (its users inherit it), or everyone. */
export interface PolicyTarget {
  kind: 'me' | 'address' | 'domain' | 'everyone';
  /** The `users.email` key: an address, `@example.com`, or `@.` for everyone. */
  key: string;
}

/** Where an effective value comes from: the target's own row, a domain's row, everyone's row, or amavisd.conf. */
export interface PolicySource {
  source: 'own' | 'domain' | 'everyone' | 'default';
  /** The users key of the row, unless the value comes from amavisd.conf. */
  key?: string;
}

/** One field as amavisd applies it to the target. */
export interface PolicyFieldView extends PolicySource {
  /** null with source 'default': amavisd.conf decides, and the value is unknown to us (unless configured). */
  value: PolicyValue | null;
  /** What the target's own row sets (null = inherits). */
  own: PolicyValue | null;
  /** The session user may change this field for this target. */
  editable: boolean;
}

/** GET /api/policy?for=… */
export interface PolicyResponse {
  for: PolicyTarget;
  fields: Record<PolicyField, PolicyFieldView>;
  /** The preset the effective tag2/kill levels match, if any. */
  preset: PolicyPreset | null;
  presets: typeof PRESET_LEVELS;
  limits: {
    /** The user may change anything at all here. */
    editable: boolean;
    /** The range for tag2 and kill levels (plain users; admins are not bound by it). */
    minLevel: number;
    maxLevel: number;
    /** True when the range binds the session user. */
    levelsLimited: boolean;
  };
}

/** PUT /api/policy: a preset sets tag2/kill; `values` override it field by field; null clears a field (inherit). */
export interface PolicyUpdateRequest {
  for?: string;
  preset?: PolicyPreset;
  values?: Partial<Record<PolicyField, PolicyValue | null>>;
}

/** PUT /api/policy answers the new effective policy, and what changed. */
export interface PolicyUpdateResponse extends PolicyResponse {
  changed: { field: PolicyField; before: PolicyValue | null; after: PolicyValue | null }[];
}
