import { describe, expect, it } from 'vitest';
import { isDue } from './digest-run';
import { digestOwnersOf, stripExtension } from './digest-recipients';
import { targetOf } from './digest-settings';

const at = (iso: string) => new Date(iso);

describe('isDue', () => {
  it('daily: once a day, a little early still counts; off never', () => {
    const last = at('2026-11-30T08:00:05Z');
    expect(isDue('daily', null, at('2026-11-30T08:00:00Z'))).toBe(true);
    expect(isDue('daily', last, at('2026-11-30T20:00:00Z'))).toBe(false);
    expect(isDue('daily', last, at('2026-12-01T08:00:00Z'))).toBe(true);
    expect(isDue('4h', last, at('2026-11-30T11:00:00Z'))).toBe(false);
    expect(isDue('4h', last, at('2026-11-30T12:00:00Z'))).toBe(true);
    expect(isDue('weekly', last, at('2026-12-06T08:00:00Z'))).toBe(false);
    expect(isDue('off', null, at('2026-12-06T08:00:00Z'))).toBe(false);
  });
  it('a last digest in the future (a clock set back) does not block for ever', () => {
    expect(isDue('daily', at('2026-12-05T00:00:00Z'), at('2026-11-30T08:00:00Z'))).toBe(true);
  });
});

describe('digest owners', () => {
  const aliases = { usersOf: (a: string) => (a === 'sales@example.test' ? ['alice@example.test', 'bob+work@example.test'] : []) };
  it('merges +extensions and aliases into their users', () => {
    expect(stripExtension('alice+news@example.test', '+')).toBe('alice@example.test');
    expect(stripExtension('alice+news@example.test', undefined)).toBe('alice+news@example.test');
    expect(stripExtension('a-b+c@x.test', '+-')).toBe('a@x.test');
    expect(digestOwnersOf('Alice+News@example.test', { delimiter: '+', aliases })).toEqual(['alice@example.test']);
    expect(digestOwnersOf('sales+q4@example.test', { delimiter: '+', aliases })).toEqual(['alice@example.test', 'bob@example.test']);
  });
});

describe('digest setting targets', () => {
  const user = { email: 'alice@example.test', role: 'user' as const, addresses: ['alice@example.test'], domains: [] };
  const admin = { email: 'admin@example.test', role: 'domain_admin' as const, addresses: ['admin@example.test'], domains: ['example.test'] };
  const root = { email: 'root@example.test', role: 'super' as const, addresses: ['root@example.test'], domains: [] };
  it('lets users set their own, admins their domains’, super users the site', () => {
    expect(targetOf(user, undefined)).toEqual({ kind: 'user' });
    expect(() => targetOf(user, 'site')).toThrow(expect.objectContaining({ status: 403, code: 'forbidden' }));
    expect(() => targetOf(user, 'domain:example.test')).toThrow(expect.objectContaining({ status: 403 }));
    expect(targetOf(admin, 'domain:Example.TEST')).toEqual({ kind: 'domain', domain: 'example.test' });
    expect(() => targetOf(admin, 'domain:other.test')).toThrow(expect.objectContaining({ status: 403 }));
    expect(targetOf(root, 'site')).toEqual({ kind: 'site' });
    expect(() => targetOf(root, 'everyone')).toThrow(expect.objectContaining({ status: 400, code: 'validation_failed' }));
  });
});
