import {
  POLICY_FIELDS,
  POLICY_FLAG_FIELDS,
  POLICY_LEVEL_FIELDS,
  POLICY_PRESETS,
  PRESET_LEVELS,
  USER_EDITABLE_FIELDS,
  type PolicyField,
  type PolicyFieldView,
  type PolicyPreset,
  type PolicySource,
  type PolicyValue,
  type PolicyValues,
} from '../../shared/policy';
import type { SpamPolicyConfig } from '../config/spam-policy';
import { AppError } from '../errors';
import { EVERYONE } from '../lookup/lookup-keys';
import type { PolicyRow } from '../lookup/policy-store';

// The pure rules of the spam policy: which keys amavisd reads, how it merges the rows, and what a
// person may write. Kept apart from the SQL so that they are unit-tested on their own.

/** Levels an admin may write: amavis takes any number, but a typo like 63100 is refused. */
export const ADMIN_LEVEL_RANGE = { min: -999, max: 9999 } as const;
const LEVELS: ReadonlySet<PolicyField> = new Set(POLICY_LEVEL_FIELDS);
const FLAGS: ReadonlySet<PolicyField> = new Set(POLICY_FLAG_FIELDS);
/** The levels a plain user's range (AQ_POLICY_MIN_KILL..MAX_KILL) applies to: those that decide delivery. */
const RANGED: readonly PolicyField[] = ['spam_tag2_level', 'spam_kill_level'];

/**
 * The users keys amavisd tries for a recipient, most specific first (README.lookups): the address, its
 * domain, the domain with subdomains and each parent (`@.sub.example.com`, `@.example.com`, `@.com`), then `@.`.
 * For a domain key, the same without the address.
 */
export function lookupKeysOf(key: string): string[] {
  if (key === EVERYONE) return [EVERYONE];
  const at = key.lastIndexOf('@');
  const domain = key.slice(at + 1);
  const keys = at > 0 ? [key] : [];
  keys.push(`@${domain}`);
  const labels = domain.split('.');
  for (let i = 0; i < labels.length; i++) keys.push(`@.${labels.slice(i).join('.')}`);
  keys.push(EVERYONE);
  return [...new Set(keys)];
}

/** Where a row's value comes from, as seen from the target's key. */
export function sourceOf(rowKey: string, targetKey: string): PolicySource {
  if (rowKey === targetKey) return { source: 'own', key: rowKey };
  return rowKey === EVERYONE ? { source: 'everyone', key: rowKey } : { source: 'domain', key: rowKey };
}

/**
 * The policy amavisd applies to `targetKey`, per field: the first row (highest priority first) whose field
 * is not NULL (Amavis::Lookup::SQLfield), else amavisd.conf's default (configured, or null = unknown).
 */
export function effectivePolicy(
  rows: readonly PolicyRow[],
  targetKey: string,
  defaults: SpamPolicyConfig['defaults'],
  editable: (field: PolicyField) => boolean,
): Record<PolicyField, PolicyFieldView> {
  const own = rows.find((r) => r.key === targetKey);
  const out = {} as Record<PolicyField, PolicyFieldView>;
  for (const field of POLICY_FIELDS) {
    const row = rows.find((r) => r.values[field] !== null);
    const base = { own: own?.values[field] ?? null, editable: editable(field) };
    if (row) out[field] = { value: row.values[field], ...sourceOf(row.key, targetKey), ...base };
    else out[field] = { value: (defaults as Partial<Record<PolicyField, number | null>>)[field] ?? null, source: 'default', ...base };
  }
  return out;
}

/** The preset whose tag2 and kill levels these are, if any. */
export function presetOf(values: Partial<Record<PolicyField, PolicyValue | null>>): PolicyPreset | null {
  return POLICY_PRESETS.find((p) => values.spam_tag2_level === PRESET_LEVELS[p].spam_tag2_level && values.spam_kill_level === PRESET_LEVELS[p].spam_kill_level) ?? null;
}

const invalid = (message: string) => new AppError(400, 'validation_failed', message);

/** Reads the `values` of a PUT: known fields only, each of its type; flags as true/false or 'Y'/'N'. */
export function parseValues(input: Record<string, unknown>): Partial<PolicyValues> {
  const out: Partial<PolicyValues> = {};
  for (const [field, raw] of Object.entries(input)) {
    if (!(POLICY_FIELDS as readonly string[]).includes(field)) throw invalid(`unknown policy field "${field.slice(0, 40)}": use ${POLICY_FIELDS.join(', ')}`);
    const f = field as PolicyField;
    if (raw === null) out[f] = null;
    else if (LEVELS.has(f)) {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isFinite(n)) throw invalid(`${f} must be a number, e.g. 6.31`);
      out[f] = n;
    } else if (FLAGS.has(f)) {
      if (typeof raw === 'boolean') out[f] = raw;
      else if (raw === 'Y' || raw === 'N') out[f] = raw === 'Y';
      else throw invalid(`${f} must be true or false (Y or N)`);
    } else {
      if (typeof raw !== 'string' || raw.length > 64 || /[\s\p{Cc}]/u.test(raw)) throw invalid(`${f} must be at most 64 characters without spaces ('' quarantines none)`);
      out[f] = raw;
    }
  }
  return out;
}

/** A preset's levels under the explicit values (which win field by field). */
export function withPreset(preset: PolicyPreset | undefined, values: Partial<PolicyValues>): Partial<PolicyValues> {
  return preset ? { ...PRESET_LEVELS[preset], ...values } : values;
}

/** Who writes, and what binds them: plain users are bound by the admin's settings, admins only by sanity. */
export interface Writer {
  admin: boolean;
  config: SpamPolicyConfig;
}

/** True if this writer may change this field at all. */
export function mayEdit(writer: Writer, field: PolicyField): boolean {
  return writer.admin || (writer.config.userEdit && USER_EDITABLE_FIELDS.includes(field));
}

const range = (v: number, min: number, max: number) => v >= min && v <= max;

/**
 * Refuses a change the writer may not make: 403 for a field they may not touch (sending its current value
 * back unchanged is fine), 400 naming the allowed range for a level out of it. Nothing is written before this passes.
 */
export function checkChange(writer: Writer, change: Partial<PolicyValues>, own: PolicyValues): void {
  const changed = (Object.keys(change) as PolicyField[]).filter((f) => change[f] !== own[f]);
  if (!writer.admin && !writer.config.userEdit && changed.length)
    throw new AppError(403, 'forbidden', 'your administrator does not let users change their spam settings');
  const refused = changed.filter((f) => !mayEdit(writer, f));
  if (refused.length) throw new AppError(403, 'forbidden', `only an administrator can change ${refused.join(', ')}`);
  for (const f of POLICY_LEVEL_FIELDS) {
    const v = change[f];
    if (typeof v !== 'number') continue;
    if (!range(v, ADMIN_LEVEL_RANGE.min, ADMIN_LEVEL_RANGE.max)) throw invalid(`${f} must be between ${ADMIN_LEVEL_RANGE.min} and ${ADMIN_LEVEL_RANGE.max}`);
    if (writer.admin || !changed.includes(f)) continue;
    const { minLevel, maxLevel } = writer.config;
    if (RANGED.includes(f) && !range(v, minLevel, maxLevel)) throw invalid(`${f} must be between ${minLevel} and ${maxLevel} (set by your administrator)`);
    if (f === 'spam_tag_level' && v > maxLevel) throw invalid(`spam_tag_level must be at most ${maxLevel} (set by your administrator)`);
  }
}

const whereFrom = (view: PolicyFieldView): string =>
  view.source === 'own' ? '' : view.source === 'default' ? ", amavisd.conf's default" : view.source === 'everyone' ? ", from everyone's policy" : `, from ${view.key}`;

/**
 * Refuses a change after which the row's tag2 level (marked as spam) is above its kill level (blocked), each
 * as amavisd would take it for `key`: the row's own value, else the inherited one, else amavisd.conf's (when
 * configured). amavisd compares the score with each level on its own, so such a row blocks mail it never
 * marks as spam, and a spam lover gets spam without X-Spam-Flag. Checked only when both are known. tag above
 * tag2 is left alone: amavisd adds its X-Spam headers at tag or tag2, whichever is reached, so it changes nothing.
 */
export function checkLevelOrder(key: string, after: PolicyValues, rows: readonly PolicyRow[], defaults: SpamPolicyConfig['defaults']): void {
  // The key's own row, with the change applied, in its place by priority (first: the most specific key, if not read yet).
  const own = rows.find((r) => r.key === key);
  const merged = own
    ? rows.map((r) => (r === own ? { ...r, values: after } : r))
    : [{ userId: 0, key, priority: Number.MAX_SAFE_INTEGER, policyId: 0, policyName: null, values: after }, ...rows];
  const view = effectivePolicy(merged, key, defaults, () => true);
  const tag2 = view.spam_tag2_level;
  const kill = view.spam_kill_level;
  if (typeof tag2.value !== 'number' || typeof kill.value !== 'number' || tag2.value <= kill.value) return;
  throw invalid(
    `spam_tag2_level (${tag2.value}${whereFrom(tag2)}) must not be above spam_kill_level (${kill.value}${whereFrom(kill)}): ` +
      'mail would be blocked as spam before it is marked as spam; lower spam_tag2_level or raise spam_kill_level',
  );
}

/** "field: before → after" for the audit log; only what changed. */
export function describeChanges(before: PolicyValues, after: Partial<PolicyValues>): { field: PolicyField; before: PolicyValue | null; after: PolicyValue | null }[] {
  return (Object.keys(after) as PolicyField[]).filter((f) => after[f] !== before[f]).map((f) => ({ field: f, before: before[f], after: after[f] ?? null }));
}
