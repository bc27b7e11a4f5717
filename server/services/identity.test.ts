import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { parseAliasFile } from './aliases';
import { normalizeUsername, roleOf } from './identity';

const config = {
  superUsers: ['root@example.org'],
  domainAdmins: new Map([['admin@example.org', ['example.org', 'example.net']]]),
  defaultDomain: 'example.org',
  imapMasterSeparator: '*',
};

describe('normalizeUsername', () => {
  it('lowercases, trims and appends the default domain', () => {
    expect(normalizeUsername('  Alice@Example.ORG ', config)).toBe('alice@example.org');
    expect(normalizeUsername('bob', config)).toBe('bob@example.org');
  });

  it('refuses the master-user separator and junk', () => {
    for (const bad of ['alice*master', 'alice@example.org*admin', '', 'a b@example.org', 'no-domain@']) {
      expect(() => normalizeUsername(bad, config), bad).toThrow(AppError);
    }
    expect(() => normalizeUsername('bob', { ...config, defaultDomain: undefined })).toThrow(/full e-mail address/);
  });
});

describe('roles', () => {
  it('reads roles from the configuration', () => {
    expect(roleOf('root@example.org', config)).toEqual({ role: 'super', domains: [] });
    expect(roleOf('admin@example.org', config)).toEqual({ role: 'domain_admin', domains: ['example.org', 'example.net'] });
    expect(roleOf('alice@example.org', config)).toEqual({ role: 'user', domains: [] });
  });
});

describe('parseAliasFile', () => {
  it('maps each target to the aliases that reach it', () => {
    const map = parseAliasFile('# c\nsales@x.org: alice@x.org, bob@x.org\nInfo@X.org  alice@x.org\nbroken line\n');
    expect(map.get('alice@x.org')).toEqual(['sales@x.org', 'info@x.org']);
    expect(map.get('bob@x.org')).toEqual(['sales@x.org']);
  });
});
