import { QueryTypes, Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCHEMA } from '../demo/schema';
import { parseSenderKey, senderKeyOf } from './lookup-keys';
import { createLookupStore, type LookupStore } from './lookup-store';

describe('sender keys', () => {
  it('reads addresses, domains and subdomains as amavis keys, lowercased, IDN as punycode', () => {
    expect(parseSenderKey('  Boss <Boss@Example.COM> ')).toEqual({ key: 'boss@example.com', kind: 'address' });
    expect(parseSenderKey('example.com')).toEqual({ key: '@example.com', kind: 'domain' });
    expect(parseSenderKey('@Example.com')).toEqual({ key: '@example.com', kind: 'domain' });
    expect(parseSenderKey('*.example.com')).toEqual({ key: '@.example.com', kind: 'subdomains' });
    expect(parseSenderKey('info@bücher.de')).toEqual({ key: 'info@xn--bcher-kva.de', kind: 'address' });
    expect(senderKeyOf('news@mail.shop.example', 'domain')).toEqual({ key: '@mail.shop.example', kind: 'domain' });
  });

  it('refuses what is not an address or a domain, with a message that says what is accepted', () => {
    for (const bad of [
      '',
      'not an address',
      'x@localhost',
      'a..b@example.com',
      'x@exa mple.com',
      '@',
      'x@-bad.example',
      'x@example.123',
      `${'a'.repeat(65)}@example.com`,
    ]) {
      expect(() => parseSenderKey(bad), bad).toThrow(/is not a sender address or domain|use name@example.com/);
    }
  });
});

// The demo's SQLite carries amavis's lookup tables too: the same store runs there.
describe('lookup store on the demo database', () => {
  let sequelize: Sequelize;
  let store: LookupStore;
  beforeAll(async () => {
    sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    for (const sql of DEMO_SCHEMA) await sequelize.query(sql);
    store = createLookupStore(sequelize);
  });
  afterAll(() => sequelize.close());

  it('creates users rows on an inherit policy, upserts the entry, and removes it', async () => {
    await store.transaction(async (t) => {
      const rid = await store.ensureUser('alice@demo.example', 10, t);
      expect(await store.ensureUser('alice@demo.example', 10, t)).toBe(rid);
      await store.setWb(rid, { key: '@spam.example', priority: 5 }, 'B', t);
      await store.setWb(rid, { key: '@spam.example', priority: 5 }, 'W', t);
    });
    const rows = await store.entries({ keys: ['alice@demo.example'] }, 10);
    expect(rows).toEqual([expect.objectContaining({ owner: 'alice@demo.example', sender: '@spam.example', wb: 'W', ownerPriority: 10, senderPriority: 5 })]);
    expect(await store.entries({ keys: ['bob@demo.example'] }, 10)).toEqual([]);
    expect(await store.entries({ keys: [], addressDomains: ['demo.example'] }, 10)).toHaveLength(1);
    const users = await store.usersOf(['alice@demo.example']);
    const [policy] = await sequelize.query<{ policy_name: string }>('SELECT policy_name FROM policy WHERE id = :id', {
      type: QueryTypes.SELECT,
      replacements: { id: users.get('alice@demo.example')?.policyId },
    });
    expect(policy?.policy_name).toBe('aq:inherit');
    const removed = await store.transaction((t) => store.removeWb(rows[0]!, t));
    expect(removed).toBe(1);
    expect(await store.entries({ keys: ['alice@demo.example'] }, 10)).toEqual([]);
  });
});
