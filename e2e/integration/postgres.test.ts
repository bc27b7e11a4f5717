import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuarantineItem } from '../../shared/quarantine';
import type { ReleaseOutcome } from '../../shared/release';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { main as cleanupMain } from '../../server/cli/cleanup';
import { type ApiSession, bodyOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { inboxMessages } from '../support/mailbox';
import { GTUBE, storedIds } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { runDoctor, serverEnv, stackEnv } from '../support/stack';

const run = promisify(execFile);
const DAY = 86_400;

// Issue #12's proof, in one place and always against PostgreSQL (whichever database AQ_TEST_DB gives the
// rest of the suite): mail goes through the second amavisd of the stack, whose storage DSN is DBI:Pg, and
// the server reads and releases it with AQ_DB_URL=postgres://… and that amavisd's AM.PDP.
describe('amavis on PostgreSQL, end to end', () => {
  const stack = stackEnv();
  // amavisd-pg looks up in its storage database too: not in the MariaDB amavisd's amavis_lookup.
  const pg = { AQ_DB_URL: stack.AQ_PG_DB_URL, AQ_LOOKUP_DB_URL: stack.AQ_PG_DB_URL, AQ_PDP: stack.AQ_PG_PDP };
  let server: TestServer;
  const sessions: Partial<Record<'alice' | 'bob' | 'super', ApiSession>> = {};

  beforeAll(async () => {
    server = await startTestServer({ ...ROLE_ENV, ...pg });
    for (const name of ['alice', 'bob', 'super'] as const) sessions[name] = await signedIn(server.url, USERS[name].email, USERS[name].password);
  });
  afterAll(() => server?.close());

  /** Sends a GTUBE spam through the PostgreSQL amavisd over SMTP; returns each recipient's API id. */
  const sendSpam = async (to: string[], subject: string) => {
    const messageId = `<pg.${randomBytes(6).toString('hex')}@tests.example.test>`;
    await run(
      'swaks',
      [
        ...['--server', `127.0.0.1:${stack.AQ_PG_SMTP_IN_PORT}`, '--from', 'pg-sender@sender.example.net', '--to', to.join(',')],
        ...['--header', `Subject: ${subject}`, '--header', `Message-Id: ${messageId}`, '--body', `Hello.\n\n${GTUBE}\n`, '--silent', '2'],
      ],
      { timeout: 120_000 },
    );
    return storedIds(server.context, messageId);
  };
  const listed = async (who: 'alice' | 'bob' | 'super', subject: string) => {
    const res = await sessions[who]!.get(`/messages?q=${encodeURIComponent(subject)}&limit=50`);
    expect(res.status).toBe(200);
    return (await bodyOf<{ items: QuarantineItem[] }>(res)).items;
  };
  const rowCounts = async (id: string) => {
    const ref = decodeMessageRef(id)!;
    const count = async (table: string) => {
      const [row] = await server.context.sequelize.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table} WHERE partition_tag = :p AND mail_id = :m`, {
        type: QueryTypes.SELECT,
        replacements: { p: ref.partitionTag, m: Buffer.from(ref.mailId) },
      });
      return Number(row?.n);
    };
    return { msgs: await count('msgs'), msgrcpt: await count('msgrcpt'), quarantine: await count('quarantine') };
  };

  const subject = `PostgreSQL spam ${randomBytes(4).toString('hex')}`;
  let ids: Record<string, string>;

  it('runs on the PostgreSQL quarantine that amavisd wrote', async () => {
    expect(server.context.sequelize.getDialect()).toBe('postgres');
    ids = await sendSpam([USERS.alice.email, USERS.bob.email], subject);
    expect(Object.keys(ids).sort()).toEqual([USERS.alice.email, USERS.bob.email]);
  });

  it('lists a spam to alice and bob for each of them, and both copies for the super user', async () => {
    const alice = await listed('alice', subject);
    const bob = await listed('bob', subject);
    expect(alice.map((i) => [i.id, i.recipient, i.type, i.status])).toEqual([[ids[USERS.alice.email], USERS.alice.email, 'spam', 'new']]);
    expect(bob.map((i) => [i.id, i.recipient, i.type, i.status])).toEqual([[ids[USERS.bob.email], USERS.bob.email, 'spam', 'new']]);
    expect((await listed('super', subject)).map((i) => i.id).sort()).toEqual([ids[USERS.alice.email], ids[USERS.bob.email]].sort());
  });

  it('delivers exactly one copy to alice\u2019s INBOX when she releases, and none to bob', async () => {
    const res = await sessions.alice!.request('POST', `/messages/${ids[USERS.alice.email]}/release`, {});
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await bodyOf<ReleaseOutcome>(res)).toMatchObject({ status: 'released', reply: { code: 250 } });
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toHaveLength(1);
    expect(await inboxMessages(USERS.bob, 'subject', subject)).toEqual([]);
    // What the next listing shows: released for alice, still new for bob.
    expect((await listed('alice', subject)).map((i) => i.status)).toEqual(['released']);
    expect((await listed('bob', subject)).map((i) => i.status)).toEqual(['new']);
    // A second release of the same copy sends nothing more.
    const again = await sessions.alice!.request('POST', `/messages/${ids[USERS.alice.email]}/release`, {});
    expect(await bodyOf<ReleaseOutcome>(again)).toMatchObject({ status: 'released', alreadyReleased: true });
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toHaveLength(1);
  });

  it('removes old mail with the cleanup, and keeps recent mail', async () => {
    const oldSubject = `PostgreSQL old spam ${randomBytes(4).toString('hex')}`;
    const old = Object.values(await sendSpam([USERS.alice.email], oldSubject))[0]!;
    const ref = decodeMessageRef(old)!;
    // 40 days back, past the default retention of 14 days; time_iso is a timestamp on PostgreSQL.
    const then = Math.floor(Date.now() / 1000) - 40 * DAY;
    await server.context.sequelize.query('UPDATE msgs SET time_num = :t, time_iso = to_timestamp(:t) WHERE partition_tag = :p AND mail_id = :m', {
      replacements: { t: then, p: ref.partitionTag, m: Buffer.from(ref.mailId) },
    });
    expect(await rowCounts(old)).toEqual({ msgs: 1, msgrcpt: 1, quarantine: 1 });

    let out = '';
    const code = await cleanupMain([], serverEnv({ ...ROLE_ENV, ...pg }), { out: (text) => (out += text), err: (text) => (out += text) });
    expect(code, out).toBe(0);
    expect(await rowCounts(old)).toEqual({ msgs: 0, msgrcpt: 0, quarantine: 0 });
    expect((await rowCounts(ids[USERS.bob.email]!)).msgs).toBe(1);
    expect((await listed('bob', subject)).map((i) => i.id)).toEqual([ids[USERS.bob.email]]);
  });

  it('passes the doctor', async () => {
    const { code, stdout } = await runDoctor(serverEnv({ ...ROLE_ENV, ...pg }));
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/connected \(postgres 1\d/);
    expect(stdout).toMatch(/may update msgrcpt/);
    expect(stdout).toMatch(/index on msgs \(time_num\) exists/);
  });
});
