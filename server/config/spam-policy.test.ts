import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { problemsOf, VALID_ENV as valid } from '../testing/config-env';

describe('spam policy settings', () => {
  it('defaults: users may edit, levels 3 to 20, amavisd.conf defaults unknown', () => {
    expect(loadConfig(valid).spamPolicy).toEqual({
      userEdit: true,
      minLevel: 3,
      maxLevel: 20,
      defaults: { spam_tag_level: null, spam_tag2_level: null, spam_kill_level: null },
    });
  });

  it('reads the range, the switch and the defaults', () => {
    const config = loadConfig({
      ...valid,
      AQ_POLICY_USER_EDIT: 'off',
      AQ_POLICY_MIN_KILL: '4.5',
      AQ_POLICY_MAX_KILL: '12',
      AQ_POLICY_DEFAULT_TAG2: '6.31',
      AQ_POLICY_DEFAULT_TAG: '-999',
    });
    expect(config.spamPolicy).toMatchObject({
      userEdit: false,
      minLevel: 4.5,
      maxLevel: 12,
      defaults: { spam_tag_level: -999, spam_tag2_level: 6.31, spam_kill_level: null },
    });
  });

  it('refuses a minimum above the maximum, and a level that is not a number', () => {
    expect(problemsOf({ ...valid, AQ_POLICY_MIN_KILL: '10', AQ_POLICY_MAX_KILL: '5' })).toEqual(['AQ_POLICY_MIN_KILL (10) must not be above AQ_POLICY_MAX_KILL (5)']);
    expect(problemsOf({ ...valid, AQ_POLICY_MAX_KILL: 'high' })).toEqual(['AQ_POLICY_MAX_KILL must be a number, e.g. 6.31']);
  });
});
