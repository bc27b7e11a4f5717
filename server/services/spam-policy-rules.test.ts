import { describe, expect, it } from 'vitest';
import { POLICY_FIELDS, type PolicyValues } from '../../shared/policy';
import type { SpamPolicyConfig } from '../config/spam-policy';
import type { AppError } from '../errors';
import type { PolicyRow } from '../lookup/policy-store';
import { checkChange, checkLevelOrder, describeChanges, effectivePolicy, lookupKeysOf, parseValues, presetOf, withPreset } from './spam-policy-rules';

const config: SpamPolicyConfig = { userEdit: true, minLevel: 3, maxLevel: 20, defaults: { spam_tag_level: null, spam_tag2_level: 6.31, spam_kill_level: null } };
const empty = () => Object.fromEntries(POLICY_FIELDS.map((f) => [f, null])) as PolicyValues;
const row = (key: string, priority: number, values: Partial<PolicyValues>): PolicyRow => ({
  userId: 1,
  key,
  priority,
  policyId: 1,
  policyName: null,
  values: { ...empty(), ...values },
});
const user = { admin: false, config };
const admin = { admin: true, config };

function errorOf(fn: () => void): AppError {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('did not throw');
}

describe('lookupKeysOf', () => {
  it('tries the address, its domain, each parent with subdomains, then everyone, as amavisd does', () => {
    expect(lookupKeysOf('alice@mail.example.test')).toEqual(['alice@mail.example.test', '@mail.example.test', '@.mail.example.test', '@.example.test', '@.test', '@.']);
    expect(lookupKeysOf('@example.test')).toEqual(['@example.test', '@.example.test', '@.test', '@.']);
    expect(lookupKeysOf('@.')).toEqual(['@.']);
  });
});

describe('effectivePolicy', () => {
  it('takes per field the first non-NULL value by priority, and names its source', () => {
    const rows = [
      row('alice@example.test', 10, { spam_lover: true }),
      row('@example.test', 5, { spam_kill_level: 12, spam_lover: false }),
      row('@.', 0, { spam_tag_level: 2 }),
    ];
    const view = effectivePolicy(rows, 'alice@example.test', config.defaults, () => true);
    expect(view.spam_lover).toMatchObject({ value: true, source: 'own', own: true });
    expect(view.spam_kill_level).toMatchObject({ value: 12, source: 'domain', key: '@example.test', own: null });
    expect(view.spam_tag_level).toMatchObject({ value: 2, source: 'everyone', key: '@.' });
    expect(view.spam_tag2_level).toMatchObject({ value: 6.31, source: 'default' });
    expect(view.bypass_spam_checks).toMatchObject({ value: null, source: 'default' });
  });

  it('an all-NULL own row (the inherit policy) falls through to the domain', () => {
    const view = effectivePolicy([row('bob@example.test', 10, {}), row('@example.test', 5, { spam_lover: true })], 'bob@example.test', config.defaults, () => false);
    expect(view.spam_lover).toMatchObject({ value: true, source: 'domain', editable: false });
  });
});

describe('presets and values', () => {
  it('a preset sets tag2 and kill; explicit values win', () => {
    expect(withPreset('relaxed', {})).toEqual({ spam_tag2_level: 8, spam_kill_level: 12 });
    expect(withPreset('strict', { spam_kill_level: 6 })).toEqual({ spam_tag2_level: 4, spam_kill_level: 6 });
    expect(presetOf({ spam_tag2_level: 6.31, spam_kill_level: 6.31 })).toBe('normal');
    expect(presetOf({ spam_tag2_level: 7, spam_kill_level: 6.31 })).toBeNull();
  });

  it('parses flags as booleans or Y/N, levels as numbers, and refuses unknown fields and wrong types', () => {
    expect(parseValues({ spam_lover: 'Y', bypass_spam_checks: false, spam_kill_level: '7.5', spam_quarantine_to: '', spam_tag_level: null })).toEqual({
      spam_lover: true,
      bypass_spam_checks: false,
      spam_kill_level: 7.5,
      spam_quarantine_to: '',
      spam_tag_level: null,
    });
    expect(errorOf(() => parseValues({ virus_lover: true })).code).toBe('validation_failed');
    expect(errorOf(() => parseValues({ spam_lover: 'yes' })).status).toBe(400);
    expect(errorOf(() => parseValues({ spam_kill_level: 'high' })).message).toContain('spam_kill_level must be a number');
  });
});

describe('checkChange', () => {
  it('a user may set levels within the admin range and spam_lover; the message names the range', () => {
    expect(() => checkChange(user, { spam_kill_level: 12, spam_tag2_level: 8, spam_lover: true }, empty())).not.toThrow();
    const err = errorOf(() => checkChange(user, { spam_kill_level: 50 }, empty()));
    expect(err.status).toBe(400);
    expect(err.message).toBe('spam_kill_level must be between 3 and 20 (set by your administrator)');
    expect(errorOf(() => checkChange(user, { spam_tag2_level: 1 }, empty())).status).toBe(400);
  });

  it('admin-only fields are refused to users unless sent back unchanged; admins may set them', () => {
    const err = errorOf(() => checkChange(user, { bypass_spam_checks: true }, empty()));
    expect([err.status, err.code]).toEqual([403, 'forbidden']);
    expect(() => checkChange(user, { bypass_spam_checks: null, spam_quarantine_to: null }, empty())).not.toThrow();
    expect(() => checkChange(admin, { bypass_spam_checks: true, spam_kill_level: 50, spam_quarantine_to: '' }, empty())).not.toThrow();
    expect(errorOf(() => checkChange(admin, { spam_kill_level: 99999 }, empty())).status).toBe(400);
  });

  it('with AQ_POLICY_USER_EDIT off, users change nothing', () => {
    expect(errorOf(() => checkChange({ admin: false, config: { ...config, userEdit: false } }, { spam_lover: true }, empty())).status).toBe(403);
  });

  it('describes only what changed', () => {
    expect(describeChanges({ ...empty(), spam_lover: true }, { spam_lover: true, spam_kill_level: 9 })).toEqual([{ field: 'spam_kill_level', before: null, after: 9 }]);
  });
});

describe('checkLevelOrder', () => {
  const alice = 'alice@example.test';
  const domain = row('@example.test', 5, { spam_tag2_level: 8, spam_kill_level: 12 });

  it('refuses a row whose tag2 ends above its kill level, naming both', () => {
    const err = errorOf(() => checkLevelOrder(alice, { ...empty(), spam_tag2_level: 9, spam_kill_level: 7 }, [row(alice, 10, {})], config.defaults));
    expect([err.status, err.code]).toEqual([400, 'validation_failed']);
    expect(err.message).toMatch(/^spam_tag2_level \(9\) must not be above spam_kill_level \(7\): /);
    expect(() => checkLevelOrder(alice, { ...empty(), spam_tag2_level: 7, spam_kill_level: 7 }, [row(alice, 10, {})], config.defaults)).not.toThrow();
  });

  it('takes an inherited level where the row sets none, and says where it comes from', () => {
    const rows = [row(alice, 10, {}), domain];
    expect(() => checkLevelOrder(alice, { ...empty(), spam_tag2_level: 12 }, rows, config.defaults)).not.toThrow();
    expect(errorOf(() => checkLevelOrder(alice, { ...empty(), spam_tag2_level: 15 }, rows, config.defaults)).message).toContain(
      'spam_tag2_level (15) must not be above spam_kill_level (12, from @example.test)',
    );
    expect(errorOf(() => checkLevelOrder(alice, { ...empty(), spam_kill_level: 5 }, rows, config.defaults)).message).toContain(
      'spam_tag2_level (8, from @example.test) must not be above spam_kill_level (5)',
    );
    // The row's own values replace what it held (here a kill of 20); everyone's and amavisd.conf's count as well.
    const everyone = [row(alice, 10, { spam_kill_level: 20 }), row('@.', 0, { spam_tag2_level: 6 })];
    expect(errorOf(() => checkLevelOrder(alice, { ...empty(), spam_kill_level: 4 }, everyone, config.defaults)).message).toContain("(6, from everyone's policy)");
    expect(errorOf(() => checkLevelOrder(alice, { ...empty(), spam_kill_level: 4 }, [], config.defaults)).message).toContain("(6.31, amavisd.conf's default)");
  });

  it('lets it pass while either level is unknown (amavisd.conf decides, unconfigured here)', () => {
    expect(() => checkLevelOrder(alice, { ...empty(), spam_tag2_level: 15 }, [row(alice, 10, {})], config.defaults)).not.toThrow();
    expect(() => checkLevelOrder('@example.test', { ...empty(), spam_kill_level: 2 }, [], { ...config.defaults, spam_tag2_level: null })).not.toThrow();
  });

  it('leaves tag above tag2 alone: amavisd adds its headers at either', () => {
    expect(() => checkLevelOrder(alice, { ...empty(), spam_tag_level: 10, spam_tag2_level: 5, spam_kill_level: 6 }, [], config.defaults)).not.toThrow();
  });
});
