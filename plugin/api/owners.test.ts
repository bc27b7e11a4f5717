import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../shared/session';
import { administers, ownersOf } from './owners';

const user = (role: SessionUser['role'], domains: string[] = []) => ({ email: 'x@example.test', role, domains }) as unknown as SessionUser;

describe('owners', () => {
  it('lists the user, their domains and, for a super user, everyone', () => {
    expect(ownersOf(user('user'))).toEqual(['me']);
    expect(ownersOf(user('domain_admin', ['example.test', '@other.test']))).toEqual(['me', '@example.test', '@other.test']);
    expect(ownersOf(user('super'))).toEqual(['me', 'everyone']);
  });

  it('says where an entry for a whole domain may be made', () => {
    expect(administers(user('user'), 'example.test')).toBe(false);
    expect(administers(user('domain_admin', ['example.test']), 'Example.Test')).toBe(true);
    expect(administers(user('domain_admin', ['example.test']), 'other.test')).toBe(false);
    expect(administers(user('super'), 'anything.example')).toBe(true);
  });
});
