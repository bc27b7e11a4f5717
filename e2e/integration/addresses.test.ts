import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionResponse } from '../../shared/session';
import type { QuarantineListResponse } from '../../shared/quarantine';
import { bodyOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';

// A user sees mail for their aliases and their +extension addresses, and no one else's.
describe('the addresses a user receives mail for', () => {
  let plain: TestServer;
  let withAliases: TestServer;
  let ids: { alias: string; extension: string; lookalike: string };

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aq-aliases-'));
    const file = path.join(dir, 'aliases');
    writeFileSync(file, '# sales goes to alice\nsales@example.test: alice@example.test\nteam@example.test: bob@example.test, carol@other.test\n');
    plain = await startTestServer(ROLE_ENV);
    withAliases = await startTestServer({ ...ROLE_ENV, AQ_ALIASES_FILE: file, AQ_RECIPIENT_DELIMITER: '+' });
    ids = {
      alias: Object.values(await sendThroughAmavis(plain.context, { to: ['sales@example.test'] }))[0]!,
      extension: Object.values(await sendThroughAmavis(plain.context, { to: ['alice+news@example.test'] }))[0]!,
      // Not an extension of alice: another mailbox whose name merely starts the same way.
      lookalike: Object.values(await sendThroughAmavis(plain.context, { to: ['alicea@example.test'] }))[0]!,
    };
  });
  afterAll(async () => {
    await plain?.close();
    await withAliases?.close();
  });

  async function visibleIds(server: TestServer): Promise<string[]> {
    const alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const res = await alice.get('/messages?limit=100');
    return (await bodyOf<QuarantineListResponse>(res)).items.map((i) => i.id);
  }

  it('shows alias and +extension mail only when configured', async () => {
    const without = await visibleIds(plain);
    expect(without).not.toContain(ids.alias);
    expect(without).not.toContain(ids.extension);

    const withThem = await visibleIds(withAliases);
    expect(withThem).toContain(ids.alias);
    expect(withThem).toContain(ids.extension);
    expect(withThem).not.toContain(ids.lookalike);
  });

  it('reads aliases from the mail server\u2019s alias table with AQ_ALIASES_SQL', async () => {
    // A Postfix-style alias table, as postfixadmin keeps it (address -> goto).
    const db = plain.context.sequelize;
    await db.query('CREATE TABLE IF NOT EXISTS test_alias (address VARCHAR(255) PRIMARY KEY, goto TEXT NOT NULL)');
    // Delete, then insert: SQL that MariaDB and PostgreSQL both take (REPLACE INTO is MySQL's own).
    await db.query("DELETE FROM test_alias WHERE address IN ('sales@example.test', 'postmaster@example.test')");
    await db.query("INSERT INTO test_alias VALUES ('sales@example.test', 'alice@example.test'), ('postmaster@example.test', 'bob@example.test')");
    const sqlServer = await startTestServer({ ...ROLE_ENV, AQ_ALIASES_SQL: 'SELECT address FROM test_alias WHERE goto = :email' });
    try {
      expect(await visibleIds(sqlServer)).toContain(ids.alias);
    } finally {
      await sqlServer.close();
    }
  });

  it('lists the aliases among the user\u2019s addresses at sign-in', async () => {
    const alice = await signedIn(withAliases.url, USERS.alice.email, USERS.alice.password);
    expect((await bodyOf<SessionResponse>(await alice.get('/session'))).user.addresses).toEqual(['alice@example.test', 'sales@example.test']);
    const bob = await signedIn(withAliases.url, USERS.bob.email, USERS.bob.password);
    const view = await bob.get(`/messages/${ids.alias}`);
    expect(view.status).toBe(404);
  });
});
