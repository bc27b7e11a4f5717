import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_FIELDS, type PolicyUpdateResponse } from '../../shared/policy';
import type { QuarantineListResponse } from '../../shared/quarantine';
import type { SenderListChange, SenderListResponse } from '../../shared/sender-lists';
import { bodyOf, errorOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { inboxMessages, waitForInbox } from '../support/mailbox';
import { GTUBE, storedIds } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { onPostgres, ROOT, runDoctor, serverEnv, stackEnvFile } from '../support/stack';

const run = promisify(execFile);

// AQ_LOOKUP_SCHEMA=ispconfig: sender lists and spam policies in ISPConfig's spamfilter_users, spamfilter_wblist
// and spamfilter_policy, which the stack's amavisd-isp reads with ISPConfig's own SELECTs. The proof is what
// that amavisd does with the next mail. ISPConfig is MySQL-only: MariaDB pass only.
const ORDINARY = 'Hello,\n\nthe minutes of Tuesday are attached in the next mail.\n\nRegards\n';
const unique = () => randomBytes(5).toString('hex');
const CLEAR = Object.fromEntries(POLICY_FIELDS.map((f) => [f, null]));

/** Runs SQL as MariaDB's root over its socket. */
const asRoot = (sql: string, database?: string) => run('mysql', ['--protocol=socket', '-uroot', ...(database ? [database] : []), '-e', sql], { timeout: 60_000 });

describe.skipIf(onPostgres)('ISPConfig lookup tables (AQ_LOOKUP_SCHEMA=ispconfig), honoured by amavisd-isp', () => {
  const env = stackEnvFile();
  let server: TestServer;
  let alice: ApiSession;
  let bob: ApiSession;
  let admin: ApiSession;
  const made: Array<{ session: () => ApiSession; id: string }> = [];

  /** Sends a mail through amavisd-isp over SMTP and waits until it is stored (in the same `amavis` database). */
  async function send(mail: { to: string[]; from: string; subject: string; body?: string }) {
    const messageId = `<isp.${unique()}@tests.example.test>`;
    await run(
      'swaks',
      ['--server', `127.0.0.1:${env.AQ_ISP_SMTP_IN_PORT}`, '--from', mail.from, '--to', mail.to.join(','), '--header', `Subject: ${mail.subject}`].concat([
        '--header',
        `Message-Id: ${messageId}`,
        '--body',
        mail.body ?? `Hello.\n\n${GTUBE}\n`,
        '--silent',
        '2',
      ]),
      { timeout: 60_000 },
    );
    return storedIds(server.context, messageId);
  }
  const add = async (session: ApiSession, body: object) => {
    const res = await session.request('POST', '/sender-lists', body);
    expect(res.status, await res.clone().text()).toBe(201);
    const change = await bodyOf<SenderListChange>(res);
    made.push({ session: () => session, id: change.entry.id });
    return change;
  };
  const held = async (session: ApiSession, token: string) => (await bodyOf<QuarantineListResponse>(await session.get(`/messages?q=${token}`))).items;

  beforeAll(async () => {
    expect(env.AQ_ISP_LOOKUP_DB_URL, 'stack.env has no amavisd-isp: run `bash e2e/stack/up.sh` again').toBeDefined();
    // What ISPConfig's panel writes for a mail domain with a spam filter policy: a '@domain' row of priority 5 in
    // the domain client's group, pointing at a policy whose Y/N columns are all set (3.2's default 'N').
    await asRoot(
      `INSERT INTO spamfilter_policy (id, sys_userid, sys_groupid, sys_perm_user, sys_perm_group, sys_perm_other, policy_name) VALUES (900, 1, 1, 'riud', 'riud', 'r', 'Panel test policy')
         ON DUPLICATE KEY UPDATE policy_name = policy_name;
       INSERT INTO spamfilter_users (sys_userid, sys_groupid, sys_perm_user, sys_perm_group, sys_perm_other, server_id, priority, policy_id, email, fullname, local)
         VALUES (1, 7, 'riud', 'riud', '', 1, 5, 900, '@example.test', '@example.test', 'Y') ON DUPLICATE KEY UPDATE policy_id = 900;`,
      'amavis_ispconfig',
    );
    server = await startTestServer({ ...ROLE_ENV, AQ_LOOKUP_SCHEMA: 'ispconfig', AQ_LOOKUP_DB_URL: env.AQ_ISP_LOOKUP_DB_URL! });
    [alice, bob, admin] = await Promise.all([
      signedIn(server.url, USERS.alice.email, USERS.alice.password),
      signedIn(server.url, USERS.bob.email, USERS.bob.password),
      signedIn(server.url, USERS.admin.email, USERS.admin.password),
    ]);
  });
  afterAll(async () => {
    for (const { session, id } of made) await session().request('DELETE', `/sender-lists/${id}`);
    if (alice) await alice.request('PUT', '/policy', { values: CLEAR });
    await server?.close();
  });

  it('alice allows a sender: its GTUBE reaches her INBOX, bob’s copy is held; the panel sees a row like its own', async () => {
    const sender = `friend-${unique()}@allowed.example.net`;
    const change = await add(alice, { sender, list: 'allow' });
    expect(change.entry).toMatchObject({ sender, list: 'allow', wb: 'W', for: { kind: 'me' } });

    const token = `ispallow${unique()}`;
    await send({ to: [USERS.alice.email, USERS.bob.email], from: sender, subject: `Spam ${token}` });
    expect(await waitForInbox(USERS.alice, 'subject', token, () => true, 30_000)).toHaveLength(1);
    expect(await held(alice, token)).toEqual([]);
    expect(await held(bob, token)).toHaveLength(1);
    expect(await inboxMessages(USERS.bob, 'subject', token)).toEqual([]);

    // As ISPConfig's forms write them: a mailbox row of priority 10 in its domain's client group, the entry in its recipient's.
    const [row] = await server.context.lookupSequelize.query<Record<string, unknown>>(
      `SELECT u.priority AS up, u.local, u.sys_groupid AS ug, u.server_id AS us, w.priority AS wp, w.active, w.sys_groupid AS wg, w.server_id AS ws
         FROM spamfilter_wblist w JOIN spamfilter_users u ON u.id = w.rid WHERE u.email = :owner AND w.email = :sender`,
      { type: QueryTypes.SELECT, replacements: { owner: USERS.alice.email, sender } },
    );
    expect(row).toEqual({ up: 10, local: 'Y', ug: 7, us: 1, wp: 10, active: 'y', wg: 7, ws: 1 });
  });

  it('alice blocks a sender: its clean mail is held for her and delivered to bob; removing the entry restores delivery', async () => {
    const sender = `pest-${unique()}@blocked.example.net`;
    const change = await add(alice, { sender, list: 'block' });
    const token = `ispblock${unique()}`;
    await send({ to: [USERS.alice.email, USERS.bob.email], from: sender, subject: `Minutes ${token}`, body: ORDINARY });
    expect(await waitForInbox(USERS.bob, 'subject', token, () => true, 30_000)).toHaveLength(1);
    expect(await held(alice, token)).toHaveLength(1);
    expect(await inboxMessages(USERS.alice, 'subject', token)).toEqual([]);

    // bob neither sees alice's entry nor can remove it, by her key or as his own.
    expect((await bodyOf<SenderListResponse>(await bob.get('/sender-lists'))).items.some((e) => e.sender === sender)).toBe(false);
    const asAlices = Buffer.from(JSON.stringify([USERS.alice.email, sender])).toString('base64url');
    const asOwn = Buffer.from(JSON.stringify(['me', sender])).toString('base64url');
    const denied = await bob.request('DELETE', `/sender-lists/${asAlices}`);
    expect([denied.status, (await errorOf(denied)).code]).toEqual([403, 'forbidden']);
    const missing = await bob.request('DELETE', `/sender-lists/${asOwn}`);
    expect([missing.status, (await errorOf(missing)).code]).toEqual([404, 'not_found']);

    const res = await alice.request('DELETE', `/sender-lists/${change.entry.id}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const again = `ispblock${unique()}`;
    await send({ to: [USERS.alice.email], from: sender, subject: `Minutes ${again}`, body: ORDINARY });
    expect(await waitForInbox(USERS.alice, 'subject', again, () => true, 30_000)).toHaveLength(1);
  });

  it('a domain admin’s entry, on the @domain row ISPConfig made, applies to alice and bob and not to carol', async () => {
    const sender = `vendor-${unique()}@domainwide.example.net`;
    const change = await add(admin, { sender, list: 'block', for: '@example.test' });
    expect(change.entry.for).toEqual({ kind: 'domain', key: '@example.test' });
    const token = `ispdomain${unique()}`;
    await send({ to: [USERS.alice.email, USERS.bob.email, USERS.carol.email], from: sender, subject: `Offer ${token}`, body: ORDINARY });
    expect(await waitForInbox(USERS.carol, 'subject', token, () => true, 30_000)).toHaveLength(1);
    expect(await held(alice, token)).toHaveLength(1);
    expect(await held(bob, token)).toHaveLength(1);
    expect((await bodyOf<SenderListResponse>(await admin.get('/sender-lists'))).items).toContainEqual(change.entry);
    expect((await bodyOf<SenderListResponse>(await alice.get('/sender-lists'))).items.some((e) => e.sender === sender)).toBe(false);
  });

  it('alice’s spam policy goes into spamfilter_policy: spam_lover delivers GTUBE to her over her domain’s panel policy', async () => {
    const res = await alice.request('PUT', '/policy', { values: { spam_lover: true } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await bodyOf<PolicyUpdateResponse>(res)).fields.spam_lover).toMatchObject({ value: true, source: 'own' });
    const token = `isplover${unique()}`;
    await send({ to: [USERS.alice.email, USERS.bob.email], from: `bulk-${unique()}@lover.example.net`, subject: `Spam ${token}` });
    expect(await waitForInbox(USERS.alice, 'subject', token, () => true, 30_000)).toHaveLength(1);
    expect(await held(bob, token)).toHaveLength(1);

    const cleared = await alice.request('PUT', '/policy', { values: CLEAR });
    expect(cleared.status, await cleared.clone().text()).toBe(200);
    const after = `isplover${unique()}`;
    await send({ to: [USERS.alice.email], from: `bulk-${unique()}@lover.example.net`, subject: `Spam ${after}` });
    expect(await held(alice, after)).toHaveLength(1);
  });
});

// The doctor on ISPConfig's tables: passes on the stack's amavis_ispconfig; on a database of its own, fails
// naming a missing table and the fix, then (tables there, only SELECT) prints GRANTs that, run as printed, pass.
describe.skipIf(onPostgres)('npm run doctor with AQ_LOOKUP_SCHEMA=ispconfig', () => {
  const DB = 'amavis_doctor_isp';
  const USER = 'aq_doctor_isp';
  const PASSWORD = 'aq-doctor-isp-pw';
  const schema = () => readFileSync(path.join(ROOT, 'e2e/stack/ispconfig-schema.sql'), 'utf8').replace(/^--.*$/gm, '');
  const fixOf = (stdout: string, finding: RegExp) => {
    const lines = stdout.split('\n');
    const at = lines.findIndex((line) => finding.test(line));
    expect(at, stdout).toBeGreaterThanOrEqual(0);
    return /^\s+fix: (.*)$/.exec(lines[at + 1] ?? '')?.[1] ?? '';
  };
  const urlOf = (db: string, user?: string) => {
    const url = new URL(stackEnvFile().AQ_DB_URL);
    if (user) [url.username, url.password] = [user, PASSWORD];
    url.pathname = `/${db}`;
    return url.toString();
  };

  beforeAll(() =>
    asRoot(
      `DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS '${USER}'@'127.0.0.1'; CREATE DATABASE ${DB}; CREATE USER '${USER}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT SELECT ON ${DB}.* TO '${USER}'@'127.0.0.1'`,
    ),
  );
  afterAll(() => asRoot(`DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS '${USER}'@'127.0.0.1'`));

  it('passes on the stack’s ISPConfig tables, and names AQ_LOOKUP_SCHEMA when it is not set', async () => {
    const { stdout } = await runDoctor(serverEnv({ AQ_LOOKUP_SCHEMA: 'ispconfig', AQ_LOOKUP_DB_URL: stackEnvFile().AQ_ISP_LOOKUP_DB_URL! }));
    expect(stdout).toMatch(/\[ ok \] amavis lookup database \(sender lists, spam policy\): .*amavis_ispconfig /);
    expect(stdout).toMatch(/\[ ok \] tables spamfilter_users, spamfilter_wblist and spamfilter_policy have the columns/);

    // The same database read as amavis's own tables: the doctor says which setting is missing.
    const unset = await runDoctor(serverEnv({ AQ_LOOKUP_DB_URL: stackEnvFile().AQ_ISP_LOOKUP_DB_URL! }));
    expect(fixOf(unset.stdout, /\[FAIL\] table\(s\) users, mailaddr, wblist, policy missing/)).toMatch(/set AQ_LOOKUP_SCHEMA=ispconfig/);
  });

  it('fails on a missing table naming the fix, then prints GRANTs that make it pass', async () => {
    const env = serverEnv({ AQ_LOOKUP_SCHEMA: 'ispconfig', AQ_LOOKUP_DB_URL: urlOf(DB, USER) });
    await asRoot(schema().replace(/CREATE TABLE spamfilter_wblist[^;]*;/, ''), DB);
    const missing = await runDoctor(env);
    expect(missing.code, missing.stdout).toBe(1);
    expect(fixOf(missing.stdout, /\[FAIL\] table\(s\) spamfilter_wblist missing/)).toMatch(/ISPConfig.*dbispconfig.*@lookup_sql_dsn/);

    await asRoot(schema().match(/CREATE TABLE spamfilter_wblist[^;]*;/)![0], DB);
    const denied = await runDoctor(env);
    expect(denied.code, denied.stdout).toBe(1);
    const grant = fixOf(denied.stdout, /\[FAIL\] may not INSERT on spamfilter_users, spamfilter_wblist, spamfilter_policy/);
    const statements = grant.match(/GRANT [^;]+;/g) ?? [];
    expect(statements, grant).toHaveLength(3);
    await asRoot(statements.join(' '), DB);
    const after = await runDoctor(env);
    expect(after.stdout).toMatch(/\[ ok \] may select, insert, update and delete on spamfilter_users, spamfilter_wblist and spamfilter_policy/);
    expect(after.stdout).toMatch(/\[ ok \] amavis lookup database \(sender lists, spam policy\): .*amavis_doctor_isp /);
  });
});
