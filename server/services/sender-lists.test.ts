import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser } from '../../shared/session';
import type { AuditLog } from '../db/audit-log';
import { DEMO_SCHEMA } from '../demo/schema';
import { createLookupStore, type LookupStore } from '../lookup/lookup-store';
import type { MessageService } from './messages';
import { createSenderListService, type SenderListService } from './sender-lists';

const admin: SessionUser = { email: 'admin@demo.example', role: 'domain_admin', addresses: ['admin@demo.example'], domains: ['demo.example'] };
const alice: SessionUser = { email: 'alice@demo.example', role: 'user', addresses: ['alice@demo.example'], domains: [] };
const otherAdmin: SessionUser = { email: 'boss@other.example', role: 'domain_admin', addresses: ['boss@other.example'], domains: ['other.example'] };

// The real lookup store on the demo's SQLite; only the quarantine (unused here) and the audit log are stand-ins.
describe('sender lists: entries of a domain and its subdomains (@.domain)', () => {
  let sequelize: Sequelize;
  let lookup: LookupStore;
  let service: SenderListService;
  beforeAll(async () => {
    sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    for (const sql of DEMO_SCHEMA) await sequelize.query(sql);
    lookup = createLookupStore(sequelize);
    const audit = { record: () => Promise.resolve() } as unknown as AuditLog;
    service = createSenderListService({ lookup, messages: {} as MessageService, audit });
  });
  afterAll(() => sequelize.close());

  it('a domain admin sets, sees and removes an entry for @.domain; others cannot remove it', async () => {
    const change = await service.add(admin, { sender: 'pest@spam.example', list: 'block', for: '@.demo.example' });
    expect(change.entry.for).toEqual({ kind: 'subdomains', key: '@.demo.example' });
    const listed = (await service.list(admin)).items.find((e) => e.sender === 'pest@spam.example');
    expect(listed).toEqual(change.entry);

    await expect(service.remove(alice, listed!.id)).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    await expect(service.remove(otherAdmin, listed!.id)).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    expect(await service.remove(admin, listed!.id)).toEqual({ removed: 1 });
    expect((await service.list(admin)).items.some((e) => e.sender === 'pest@spam.example')).toBe(false);
  });

  it('an entry another tool wrote for @.domain is listed for the domain admin and removable by them', async () => {
    await lookup.transaction(async (t) => {
      const rid = await lookup.ensureUser('@.demo.example', 3, t);
      await lookup.setWb(rid, { key: '@bulk.example', priority: 5 }, 'B', t);
    });
    const entry = (await service.list(admin)).items.find((e) => e.sender === '@bulk.example');
    expect(entry?.for).toEqual({ kind: 'subdomains', key: '@.demo.example' });
    expect(await service.remove(admin, entry!.id)).toEqual({ removed: 1 });
  });

  it('refuses @.domain of a domain the admin does not administer, and a malformed one', async () => {
    await expect(service.add(admin, { sender: 'x@spam.example', list: 'block', for: '@.other.example' })).rejects.toMatchObject({ status: 403 });
    await expect(service.add(admin, { sender: 'x@spam.example', list: 'block', for: '@..demo' })).rejects.toMatchObject({ status: 400 });
  });
});
