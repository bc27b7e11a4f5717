import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/routes';
import type { QuarantineItem, QuarantineListResponse } from '../../shared/quarantine';
import { amavisDialect } from '../../server/amavis/dialect';
import { lockSql } from '../../server/amavis/list-index-sql';
import { createListIndexer, readListIndexState } from '../../server/amavis/list-indexer';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { bodyOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { GTUBE, sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { ROOT, runDoctor, serverEnv, stackEnv } from '../support/stack';

const run = promisify(execFile);

// The list index (npm run migrate; e2e/test.sh installs it in both databases) against the real amavisd
// storing into MariaDB or PostgreSQL: what the index lists is checked through the API, and amavisd's
// own next mail, deletes and cleanup happen while a listing pages.
describe('the list index', () => {
  let server: TestServer;
  const sessions: Record<string, ApiSession> = {};
  const tag = `lx${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    // No indexer of its own: each test takes the indexer's turns where it says so.
    server = await startTestServer({ ...ROLE_ENV, AQ_LIST_INDEX_INTERVAL_MS: '0' });
    for (const name of ['alice', 'bob', 'admin', 'super'] as const) sessions[name] = await signedIn(server.url, USERS[name].email, USERS[name].password);
  });
  afterAll(() => server?.close());

  const list = async (who: string, query: string): Promise<QuarantineListResponse> => {
    const res = await sessions[who]!.get(`${ROUTES.messages}?${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return bodyOf<QuarantineListResponse>(res);
  };
  const pages = async (who: string, query: string, between?: (page: number, seen: QuarantineItem[]) => Promise<void>): Promise<QuarantineItem[]> => {
    const items: QuarantineItem[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const body: QuarantineListResponse = await list(who, `${query}${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...body.items);
      cursor = body.nextCursor;
      if (cursor && between) await between(page++, items);
    } while (cursor);
    return items;
  };
  const amavisDelete = async (id: string) => {
    // What amavisd-new's own cleanup does (README.sql): msgs by age, then the orphaned msgrcpt and quarantine rows.
    const ref = decodeMessageRef(id)!;
    for (const table of ['msgs', 'msgrcpt', 'quarantine']) {
      await server.context.sequelize.query(`DELETE FROM ${table} WHERE partition_tag = :p AND mail_id = :m`, {
        replacements: { p: ref.partitionTag, m: Buffer.from(ref.mailId) },
      });
    }
  };

  it('is installed and built; the doctor finds a missing index, and migrate puts it back', async () => {
    expect((await readListIndexState(server.context.sequelize))?.ready).toBe(true);
    const env = { ...process.env, AQ_DB_URL: stackEnv().AQ_DB_URL };
    const migrate = (...args: string[]) => run(`${ROOT}/node_modules/.bin/tsx`, [`${ROOT}/server/cli/migrate.ts`, ...args], { env, cwd: ROOT, timeout: 120_000 });
    // As an operator (or a DBA) breaks it: one of the indexes is gone, and the check's table (as before an
    // upgrade's migrate: the indexer then walks by insertion order, the old way).
    const postgres = (await amavisDialect(server.context.sequelize)) === 'postgres';
    await server.context.sequelize.query(postgres ? 'DROP INDEX aq_list_rs' : 'DROP INDEX aq_list_rs ON aq_list');
    await server.context.sequelize.query('DROP TABLE aq_list_check_at');
    await server.context.sequelize.query(postgres ? 'DROP INDEX aq_list_ck' : 'DROP INDEX aq_list_ck ON aq_list');
    // The indexer carries on the old way meanwhile.
    expect(await createListIndexer(server.context.sequelize).runOnce()).toBe(true);
    const broken = await runDoctor(serverEnv());
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/\[FAIL\] the list index lacks index\(es\) aq_list_rs\s+fix: run `npm run migrate`/);
    // The check's index and table only make it cheaper: their absence is a warning, not a failure.
    expect(broken.stdout).toMatch(
      /\[warn\] the list index lacks its index aq_list_ck and its table aq_list_check_at: its rotating check walks the list in insertion order/,
    );
    // The SQL for a DBA names it; migrate (run again, as an upgrade script would) creates only what is missing.
    expect((await migrate('--print')).stdout).toMatch(/CREATE INDEX IF NOT EXISTS aq_list_rs ON aq_list \(rid, score, time_num/);
    const { stdout } = await migrate();
    expect(stdout).toContain('creating index aq_list_rs');
    expect(stdout).not.toContain('creating index aq_list_rt');
    await server.context.listIndexer.runOnce();
    const doctor = await runDoctor(serverEnv());
    expect(doctor.stdout).toMatch(/\[ ok \] the list index has its \d+ indexes/);
    expect(doctor.stdout).not.toContain('aq_list_check_at');
    expect(doctor.stdout).toMatch(/\[ ok \] the list index is built/);
  });

  it('sorts by sender and by subject, both ways, and oldest first', async () => {
    const sent = [
      { from: 'Zed <zed@sender.example.net>', subject: `b ${tag} sorting` },
      { from: 'amy@sender.example.net', subject: `C ${tag} sorting` },
      { from: 'Mo <mo@sender.example.net>', subject: `a ${tag} sorting` },
    ];
    for (const mail of sent) {
      await sendThroughAmavis(server.context, {
        to: ['alice@example.test'],
        subject: mail.subject,
        body: `From the ${tag} sort test.\n\n${GTUBE}\n`,
        from: mail.from.replace(/^.*<|>$/g, ''),
        headers: [`From: ${mail.from}`],
      });
    }
    const order = async (sort: string, dir: string, field: (i: QuarantineItem) => string) =>
      (await pages('alice', `q=${tag}+sorting&limit=2&sort=${sort}&dir=${dir}`)).map(field);
    expect(await order('sender', 'asc', (i) => i.headerFrom)).toEqual(['amy@sender.example.net', 'Mo <mo@sender.example.net>', 'Zed <zed@sender.example.net>']);
    expect(await order('sender', 'desc', (i) => i.headerFrom)).toEqual(['Zed <zed@sender.example.net>', 'Mo <mo@sender.example.net>', 'amy@sender.example.net']);
    expect(await order('subject', 'asc', (i) => i.subject)).toEqual([`a ${tag} sorting`, `b ${tag} sorting`, `C ${tag} sorting`]);
    expect(await order('subject', 'desc', (i) => i.subject)).toEqual([`C ${tag} sorting`, `b ${tag} sorting`, `a ${tag} sorting`]);
    const newest = await order('date', 'desc', (i) => i.subject);
    expect(await order('date', 'asc', (i) => i.subject)).toEqual([...newest].reverse());
    // A cursor belongs to its order and direction.
    const first = await list('alice', `q=${tag}+sorting&limit=1&sort=sender&dir=asc`);
    const res = await sessions.alice!.get(`${ROUTES.messages}?q=${tag}+sorting&limit=1&sort=sender&dir=desc&cursor=${first.nextCursor}`);
    expect(res.status).toBe(400);
  });

  it('pages without a row twice or missing, in order, while amavisd stores new mail and copies are deleted by us and by amavis\u2019s cleanup', async () => {
    const word = `${tag}paging`;
    const send = () =>
      sendThroughAmavis(server.context, { to: ['bob@example.test'], subject: `${word} ${randomBytes(3).toString('hex')}` }).then((ids) => Object.values(ids)[0]!);
    for (const [sort, dir] of [
      ['date', 'desc'],
      ['score', 'desc'],
      ['subject', 'asc'],
      ['sender', 'desc'],
    ] as const) {
      const before: string[] = [];
      for (let i = 0; i < 6; i++) before.push(await send());
      const gone = new Set<string>();
      const query = `q=${word}&limit=2&sort=${sort}&dir=${dir}`;
      const seen = await pages('bob', query, async (page, shown) => {
        // Each page: one new mail through amavisd, one copy deleted through the API, one message removed
        // by amavisd's cleanup statements; the indexer takes its turn as a running server would.
        await send();
        const unseenNow = before.filter((id) => !gone.has(id) && !shown.some((i) => i.id === id));
        if (unseenNow[0] && page % 2 === 0) {
          gone.add(unseenNow[0]);
          const res = await sessions.bob!.request('POST', ROUTES.remove(unseenNow[0]));
          expect(res.status, await res.clone().text()).toBe(200);
        } else if (unseenNow[0]) {
          gone.add(unseenNow[0]);
          await amavisDelete(unseenNow[0]);
        }
        await server.context.listIndexer.runOnce();
      });
      const ids = seen.map((i) => i.id);
      expect(new Set(ids).size, `${sort} ${dir}: a row twice`).toBe(ids.length);
      for (const id of before) {
        if (!gone.has(id)) expect(ids, `${sort} ${dir}: a row missing`).toContain(id);
      }
      // Deleted before the listing reached them: never listed.
      for (const id of gone) expect(ids, `${sort} ${dir}: a deleted row listed`).not.toContain(id);
      const keys = seen.map((i) =>
        sort === 'date'
          ? i.receivedAt
          : sort === 'score'
            ? String(i.spamLevel ?? -9999).padStart(12, '0')
            : (sort === 'subject' ? (i.subject ?? '') : i.headerFrom).toLowerCase(),
      );
      const sorted = [...keys].sort();
      expect(keys, `${sort} ${dir}: order`).toEqual(dir === 'asc' ? sorted : sorted.reverse());
    }
  });

  it('keeps every user to their own copies in every order and search', async () => {
    const [ids] = [await sendThroughAmavis(server.context, { to: ['alice@example.test', 'bob@example.test'], subject: `${tag} shared scope` })];
    for (const query of ['sort=sender&dir=asc', 'sort=subject&dir=desc', 'sort=date&dir=asc', `q=${tag}+shared`, 'sort=score&dir=asc&type=spam']) {
      const alice = await pages('alice', `${query}&limit=20`);
      const bob = await pages('bob', `${query}&limit=20`);
      expect(new Set(alice.map((i) => i.recipient)), query).toEqual(new Set(['alice@example.test']));
      expect(new Set(bob.map((i) => i.recipient)), query).toEqual(new Set(['bob@example.test']));
      expect(
        alice.map((i) => i.id),
        query,
      ).toContain(ids['alice@example.test']);
      expect(
        alice.map((i) => i.id),
        query,
      ).not.toContain(ids['bob@example.test']);
    }
  });

  it('lists a domain admin\u2019s own copy once, though both the address and the domain match it', async () => {
    const [own] = Object.values(await sendThroughAmavis(server.context, { to: ['admin@example.test'], subject: `${tag} admin own` }));
    const items = await pages('admin', `sort=subject&dir=asc&limit=7`);
    const ids = items.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(own);
    expect(items.every((i) => i.recipient.endsWith('@example.test'))).toBe(true);
  });

  it('never lists a copy whose message amavis\u2019s cleanup removed, even before the indexer runs', async () => {
    const id = Object.values(await sendThroughAmavis(server.context, { to: ['alice@example.test'], subject: `${tag} purged` }))[0]!;
    expect((await list('alice', `q=${tag}+purged`)).items.map((i) => i.id)).toEqual([id]);
    await amavisDelete(id);
    expect((await list('alice', `q=${tag}+purged`)).items).toEqual([]);
    expect((await list('super', `q=${tag}+purged&count=true`)).items).toEqual([]);
    expect([404, 410]).toContain((await sessions.alice!.get(ROUTES.message(id))).status);
    // The count comes from the index alone: it drops the copy once the rotating check (2,000 rows a turn)
    // has reached it, within one pass over the table.
    for (let turn = 0; turn < 500 && (await list('alice', `q=${tag}+purged&count=true`)).count?.value !== 0; turn++) await server.context.listIndexer.runOnce();
    expect((await list('alice', `q=${tag}+purged&count=true`)).count).toEqual({ value: 0, capped: false });
  });

  it('drops, at its next turn, the rows of messages older than every message left in msgs, and only those', async () => {
    // amavis's cleanup removes msgs by age; the index rows it leaves behind are older than the oldest
    // message left. Two such leftovers are made from a real copy's row (amavisd stored it): one dated before
    // the oldest message, one at it; a turn prunes the first, and keeps the second and the copy's own row.
    const sequelize = server.context.sequelize;
    const id = Object.values(await sendThroughAmavis(server.context, { to: ['alice@example.test'], subject: `${tag} leftover` }))[0]!;
    await server.context.listIndexer.runOnce();
    const ref = decodeMessageRef(id)!;
    const [{ oldest } = { oldest: 0 }] = await sequelize.query<{ oldest: number | string }>('SELECT MIN(time_num) AS oldest FROM msgs', { type: QueryTypes.SELECT });
    const leftover = (mailId: string, timeNum: number) =>
      sequelize.query(
        `INSERT INTO aq_list (partition_tag, mail_id, rseqnum, rid, rdomain, time_num, score, content, rs, sender, subject, search)
         SELECT partition_tag, :mailId, rseqnum, rid, rdomain, :timeNum, score, content, rs, sender, subject, search FROM aq_list
         WHERE partition_tag = :p AND mail_id = :m`,
        { replacements: { mailId: Buffer.from(mailId), timeNum, p: ref.partitionTag, m: Buffer.from(ref.mailId) } },
      );
    const gone = `zz${randomBytes(6).toString('hex')}`;
    const kept = `zz${randomBytes(6).toString('hex')}`;
    await leftover(gone, Number(oldest) - 3600);
    await leftover(kept, Number(oldest));
    const rowsOf = async (mailIds: string[]) =>
      (
        await sequelize.query<{ mail_id: Buffer | string }>('SELECT mail_id FROM aq_list WHERE mail_id IN (:ids)', {
          type: QueryTypes.SELECT,
          replacements: { ids: mailIds.map((m) => Buffer.from(m)) },
        })
      )
        .map((r) => Buffer.from(r.mail_id).toString())
        .sort();
    expect(await rowsOf([gone, kept, ref.mailId])).toEqual([gone, kept, ref.mailId].sort());
    // The rotating check (which drops rows whose copy is not in msgrcpt, as both leftovers are) starts after
    // the last row for this turn, so that what goes is the prune's doing.
    // It walks in key order from the key in aq_list_check_at: put it after the greatest key.
    const [top] = await sequelize.query<{ partition_tag: number; mail_id: Buffer; rseqnum: number }>(
      'SELECT partition_tag, mail_id, rseqnum FROM aq_list ORDER BY partition_tag DESC, mail_id DESC, rseqnum DESC LIMIT 1',
      { type: QueryTypes.SELECT },
    );
    await sequelize.query('DELETE FROM aq_list_check_at');
    await sequelize.query('INSERT INTO aq_list_check_at (id, partition_tag, mail_id, rseqnum) VALUES (1, :p, :m, :r)', {
      replacements: { p: top!.partition_tag, m: Buffer.from(top!.mail_id), r: top!.rseqnum },
    });
    await server.context.listIndexer.runOnce();
    expect(await rowsOf([gone, kept, ref.mailId])).toEqual([kept, ref.mailId].sort());
    await sequelize.query('DELETE FROM aq_list WHERE mail_id = :m', { replacements: { m: Buffer.from(kept) } });
  });

  it('lets one indexer work at a time, through the database\u2019s advisory lock', async () => {
    const sequelize = server.context.sequelize;
    const lock = lockSql(await amavisDialect(sequelize))!;
    const other = createListIndexer(sequelize);
    await sequelize.transaction(async (t) => {
      await sequelize.query(lock.take, { type: QueryTypes.SELECT, transaction: t });
      expect(await other.runOnce()).toBe(false);
      if (lock.release) await sequelize.query(lock.release, { type: QueryTypes.SELECT, transaction: t });
    });
    expect(await other.runOnce()).toBe(true);
  });

  it('lists new mail once a running server\u2019s indexer took its turn', async () => {
    const indexing = await startTestServer({ ...ROLE_ENV, AQ_LIST_INDEX_INTERVAL_MS: '200' });
    try {
      const subject = `${tag} fresh`;
      await run('swaks', [
        ...['--server', `127.0.0.1:${stackEnv().AQ_SMTP_IN_PORT}`, '--from', 'fresh@sender.example.net', '--to', 'alice@example.test'],
        ...['--header', `Subject: ${subject}`, '--body', `Hello.\n\n${GTUBE}\n`, '--silent', '2'],
      ]);
      // Only the index sorts by sender: a hit here was listed from it.
      let items: QuarantineItem[] = [];
      for (let i = 0; i < 600 && items.length === 0; i++) {
        items = (await list('alice', `q=${encodeURIComponent(subject)}&sort=sender&dir=asc`)).items;
        if (items.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(items.map((i) => i.subject)).toEqual([subject]);
    } finally {
      await indexing.close();
    }
  });
});
