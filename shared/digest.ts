/** How often a user gets a digest of newly quarantined mail. */
export const DIGEST_FREQUENCIES = ['off', '4h', 'daily', 'weekly'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];

/** Where an effective frequency comes from: the user's own choice, their domain's default, the site default, or the built-in one. */
export type DigestSource = 'user' | 'domain' | 'site' | 'default';

/** A frequency set at one level (`GET /api/digest-settings`); `null` means that level sets nothing and inherits. */
export interface DigestLevel {
  source: Exclude<DigestSource, 'default'>;
  /** The address, the domain, or `*` for the site. */
  key: string;
  frequency: DigestFrequency | null;
}

/**
 * GET /api/digest-settings (`?for=domain:example.org` or `?for=site` for admins, else the signed-in user):
 * the effective frequency, where it comes from, each level's own value, and when the last digest went out.
 */
export interface DigestSettings {
  target: DigestTarget;
  frequency: DigestFrequency;
  source: DigestSource;
  levels: DigestLevel[];
  /** ISO time of the last digest sent to this user; absent for domain and site targets, or before the first. */
  lastSentAt?: string;
  /** Whether the signed-in user may change this target's value. */
  editable: boolean;
  /** The language the user's digests are written in (user target only); the widget sends its own with every PUT. */
  language?: DigestLanguage;
}

/** The languages a digest is written in. */
export const DIGEST_LANGUAGES = ['en', 'de', 'fr'] as const;
export type DigestLanguage = (typeof DIGEST_LANGUAGES)[number];

/** Whose setting: the user's own, a domain's default (domain admins of it, super users), or the site default (super users). */
export type DigestTarget = { kind: 'user' } | { kind: 'domain'; domain: string } | { kind: 'site' };

/** PUT /api/digest-settings body; `frequency: null` removes this level's value so it inherits again. `for` as in GET. */
export interface DigestSettingsUpdate {
  frequency: DigestFrequency | null;
  for?: string;
  /** The widget's language, kept for the user's own digests (ignored for domain and site targets). */
  language?: DigestLanguage;
}
