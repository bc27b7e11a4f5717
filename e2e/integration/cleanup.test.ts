import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { createContext, type AppContext } from '../../server/context';
import { createLogger } from '../../server/logger';
import { createCleanupStore, type CleanupStore } from '../../server/amavis/cleanup-sql';
import { main as cleanupMain } from '../../server/cli/cleanup';
import { createCleanup, type Cleanup, type CleanupReport } from '../../server/services/cleanup';
import { restoreAddresses, type DeletedAddress } from '../../server/services/cleanup-addresses';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { sendThroughAmavis } from '../support/send-mail';
import { ROOT, serverEnv } from '../support/stack';
import { REFUSED_DB_ERROR, refusedDbUrl } from '../support/test-db';

const run = promisify(execFile);
const DAY = 86_400;
const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
// npm and tsx start in seconds on an idle machine, and far slower on a loaded one: one test spawns
// them, with this limit; the others call the CLI's main() in-process.
const SPAWN_LIMIT_MS = 240_000;
// This run's database server, with credentials it refuses.
const DEAD_DB = refusedDbUrl();
const DEAD_DB_FAILURE = new RegExp(`amavis-quarantine cleanup failed: .*(?:${REFUSED_DB_ERROR.source})`);
// Nine mails through the real amavisd (SpamAssassin included): about ten seconds idle, minutes loaded.
const SETUP_LIMIT_MS = 600_000;

/** The CLI's main() in this process, with the given AQ_* settings only: what it printed and its exit code. */
async function runCleanupMain(env: Record<string, string>, args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await cleanupMain(args, env, { out: (text) => (stdout += `${text}\n`), err: (text) => (stderr += `${text}\n`) });
  return { code, stdout, stderr };
}

// The cleanup against the real database (MariaDB or PostgreSQL, AQ_TEST_DB), on mail that went through the real amavisd. Some of that mail
// is made old, deleted or orphaned by editing its real rows. Other test files leave many recent rows
// here, so the assertions are about this file's rows, plus "nothing recent that should stay was touched".
describe('npm run cleanup against the real stack', () => {
  let context: AppContext;
  let store: CleanupStore;
  let cleanup: Cleanup;
  const tag = randomBytes(4).toString('hex');
  // amavisd stores addresses lowercased.
  const sender = (name: string) => `cleanup-${tag}-${name.toLowerCase()}@sender.example.net`;
  type Mail = { p: number; m: string; name: string };
  const mails: Record<string, Mail> = {};
  let oldOrphanId: string;
  let newOrphanId: string;
  let dryRun: CleanupReport;
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const isoOf = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/[-:]|\.\d{3}/g, '');

  const q = <T extends object>(sql: string, replacements: Record<string, unknown> = {}) => context.sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });
  const exec = (sql: string, replacements: Record<string, unknown> = {}) => context.sequelize.query(sql, { replacements });
  const key = (mail: Mail) => ({ p: mail.p, m: Buffer.from(mail.m) });
  const rowsOf = async (mail: Mail) => {
    const count = async (table: string) =>
      Number((await q<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE partition_tag = :p AND mail_id = :m`, key(mail)))[0]?.n);
    return { msgs: await count('msgs'), msgrcpt: await count('msgrcpt'), quarantine: await count('quarantine') };
  };
  const maddrId = async (email: string) => (await q<{ id: string }>('SELECT id FROM maddr WHERE email = :email', { email: Buffer.from(email) }))[0]?.id;
  const maddrExists = async (id: string) => (await q('SELECT id FROM maddr WHERE id = :id', { id })).length === 1;
  const insertAddress = async (email: string) => {
    await exec('INSERT INTO maddr (partition_tag, email, domain) VALUES (0, :email, :domain)', {
      email: Buffer.from(email),
      domain: email.split('@')[1]!.split('.').reverse().join('.'),
    });
    return (await maddrId(email))!;
  };
  const tableCounts = async () => {
    const [row] = await q<Record<string, number>>(
      `SELECT (SELECT COUNT(*) FROM msgs) AS msgs, (SELECT COUNT(*) FROM msgrcpt) AS msgrcpt, (SELECT COUNT(*) FROM quarantine) AS quarantine,
              (SELECT COUNT(*) FROM maddr) AS maddr, (SELECT COUNT(*) FROM aq_audit) AS audit`,
    );
    return row;
  };
  const send = async (name: string, to: string[]) => {
    const ids = await sendThroughAmavis(context, { to, from: sender(name), subject: `Cleanup test ${tag} ${name}` });
    const ref = decodeMessageRef(Object.values(ids)[0]!)!;
    mails[name] = { p: ref.partitionTag, m: ref.mailId, name };
    return mails[name];
  };
  const age = (mail: Mail, seconds: number) =>
    exec('UPDATE msgs SET time_num = :t, time_iso = :iso WHERE partition_tag = :p AND mail_id = :m', { ...key(mail), t: seconds, iso: isoOf(seconds) });
  // Recent messages that must survive any run: all but those whose every recipient row is 'D'.
  const survivors = () =>
    q<{ mail_id: Buffer; n_rcpt: number; n_quar: number }>(
      `SELECT m.mail_id,
              (SELECT COUNT(*) FROM msgrcpt r WHERE r.partition_tag = m.partition_tag AND r.mail_id = m.mail_id) AS n_rcpt,
              (SELECT COUNT(*) FROM quarantine c WHERE c.partition_tag = m.partition_tag AND c.mail_id = m.mail_id) AS n_quar
       FROM msgs m
       WHERE m.time_num >= :cutoff AND (m.content IS NULL OR m.quar_type <> 'Q'
         OR NOT EXISTS (SELECT 1 FROM msgrcpt r WHERE r.partition_tag = m.partition_tag AND r.mail_id = m.mail_id)
         OR EXISTS (SELECT 1 FROM msgrcpt r WHERE r.partition_tag = m.partition_tag AND r.mail_id = m.mail_id AND r.rs <> 'D'))
       ORDER BY m.partition_tag, m.mail_id`,
      { cutoff: nowSeconds() - 14 * DAY + 60 },
    );

  beforeAll(async () => {
    context = createContext(loadConfig(serverEnv()), createLogger('silent'));
    await context.ready();
    store = createCleanupStore(context.sequelize);
    // A short settle wait: this file leaves one message looking "in flight" on purpose.
    cleanup = createCleanup({ store, auditLog: context.auditLog }, { retentionDays: 14, auditRetentionDays: 365, settleTimeoutMs: 3000 });

    // An address nothing uses, allocated before the mail below: old enough to go.
    oldOrphanId = await insertAddress(`cleanup-orphan-${tag}@orphan.example.test`);
    // Each mail has its own new sender address, so the test can follow its maddr row.
    await send('old', [ALICE]);
    await send('old2', [ALICE, BOB]);
    await send('oldInFlight', [ALICE]);
    await send('allDeleted', [ALICE, BOB]);
    await send('partlyDeleted', [ALICE, BOB]);
    await send('inFlightDeleted', [ALICE]);
    await send('orphan', [BOB]);
    await send('fresh', [ALICE]);
    await send('pastGrace', [ALICE]);

    const longAgo = nowSeconds() - 20 * DAY;
    for (const name of ['old', 'old2', 'oldInFlight']) await age(mails[name]!, longAgo);
    // content NULL is how amavisd marks mail it is still processing: old such rows are dead, recent ones are not.
    for (const name of ['oldInFlight', 'inFlightDeleted']) await exec('UPDATE msgs SET content = NULL WHERE partition_tag = :p AND mail_id = :m', key(mails[name]!));
    for (const name of ['allDeleted', 'inFlightDeleted']) await exec("UPDATE msgrcpt SET rs = 'D' WHERE partition_tag = :p AND mail_id = :m", key(mails[name]!));
    const aliceId = await maddrId(ALICE);
    await exec("UPDATE msgrcpt SET rs = 'D' WHERE partition_tag = :p AND mail_id = :m AND rid = :rid", { ...key(mails.partlyDeleted!), rid: aliceId });
    // Another tool deleted the msgs row only: its msgrcpt and quarantine rows are orphans.
    await exec('DELETE FROM msgs WHERE partition_tag = :p AND mail_id = :m', key(mails.orphan!));
    // Received just over an hour ago: proof that every maddr id up to its sender's is an hour old.
    await age(mails.pastGrace!, nowSeconds() - 3601);
    // An address allocated now, used by nothing yet: amavisd may be about to write its msgs row.
    newOrphanId = await insertAddress(`cleanup-new-${tag}@orphan.example.test`);

    const auditEntry = { action: 'view', partition_tag: 0, result: 'ok' } as const;
    await context.appModels.Audit.create({ ...auditEntry, at: new Date(Date.now() - 400 * DAY * 1000), actor: `cleanup-old-${tag}`, mail_id: 'cleanupOldAudit' });
    await context.appModels.Audit.create({ ...auditEntry, at: new Date(Date.now() - 300 * DAY * 1000), actor: `cleanup-kept-${tag}`, mail_id: 'cleanupKeptAudi' });
  }, SETUP_LIMIT_MS);

  afterAll(async () => {
    // Leave no fake "in flight" message and no stray address behind for other files.
    if (mails.inFlightDeleted) await exec("UPDATE msgs SET content = 'S' WHERE partition_tag = :p AND mail_id = :m", key(mails.inFlightDeleted));
    if (newOrphanId) await exec('DELETE FROM maddr WHERE id = :id', { id: newOrphanId });
    await context.close();
  });

  it('dry run: reports what it would delete, and changes nothing', async () => {
    const before = await tableCounts();
    const survivorsBefore = await survivors();
    dryRun = await cleanup.run({ dryRun: true, batchSize: 2 });
    expect(await tableCounts()).toEqual(before);
    expect(await survivors()).toEqual(survivorsBefore);

    expect(dryRun.dryRun).toBe(true);
    // At least this file's rows (other files may have left rows of these kinds too).
    expect(dryRun.expired.messages).toBeGreaterThanOrEqual(3);
    expect(dryRun.expired.recipientRows).toBeGreaterThanOrEqual(4);
    expect(dryRun.expired.quarantineRows).toBeGreaterThanOrEqual(3);
    expect(dryRun.allDeleted.messages).toBeGreaterThanOrEqual(1);
    expect(dryRun.allDeleted.recipientRows).toBeGreaterThanOrEqual(2);
    expect(dryRun.orphanRecipients.rows).toBeGreaterThanOrEqual(1);
    expect(dryRun.orphanQuarantine.rows).toBeGreaterThanOrEqual((await rowsOf(mails.orphan!)).quarantine);
    expect(dryRun.addresses.rows).toBeGreaterThanOrEqual(1);
    expect(dryRun.audit.rows).toBeGreaterThanOrEqual(1);
    for (const sample of [dryRun.expired.sample, dryRun.allDeleted.sample, dryRun.orphanRecipients.sample]) {
      expect(sample.length).toBeGreaterThan(0);
      for (const mailId of sample) expect(mailId).toMatch(/^[A-Za-z0-9_-]{12}$/);
    }
    // The old orphan is within the proven-old ids; the address allocated a moment ago is not.
    const horizon = BigInt(dryRun.addresses.horizonId!);
    expect(horizon >= BigInt(oldOrphanId)).toBe(true);
    expect(horizon < BigInt(newOrphanId)).toBe(true);
  });

  it('real run: old, all-deleted and orphan rows go; recent rows and new addresses stay', async () => {
    const survivorsBefore = await survivors();
    const keptRows = new Map<string, Awaited<ReturnType<typeof rowsOf>>>();
    for (const name of ['partlyDeleted', 'inFlightDeleted', 'fresh', 'pastGrace']) keptRows.set(name, await rowsOf(mails[name]!));
    const senderIds: Record<string, string | undefined> = {};
    for (const name of Object.keys(mails)) senderIds[name] = await maddrId(sender(name));
    expect(Object.values(senderIds).every(Boolean)).toBe(true);

    const report = await cleanup.run({ dryRun: false, batchSize: 2 });

    // The dry run predicted it (nothing else writes meanwhile); addresses that only the deleted mail
    // used are the real run's extra.
    for (const category of ['expired', 'allDeleted'] as const) {
      const { sample: _s, ...counts } = report[category];
      const { sample: _d, ...predicted } = dryRun[category];
      expect(counts).toEqual(predicted);
    }
    expect(report.orphanRecipients.rows).toBe(dryRun.orphanRecipients.rows);
    expect(report.orphanQuarantine.rows).toBe(dryRun.orphanQuarantine.rows);
    expect(report.audit.rows).toBe(dryRun.audit.rows);
    expect(report.addresses.rows).toBeGreaterThan(dryRun.addresses.rows);
    expect(report.addresses.restored).toBe(0);
    // inFlightDeleted is still "being processed": the address check waited for it, then said so.
    expect(report.warnings).toEqual([expect.stringMatching(/^\d+ message\(s\) were still being processed by amavisd after 3 s/)]);

    for (const name of ['old', 'old2', 'oldInFlight', 'allDeleted']) expect(await rowsOf(mails[name]!)).toEqual({ msgs: 0, msgrcpt: 0, quarantine: 0 });
    expect(await rowsOf(mails.orphan!)).toEqual({ msgs: 0, msgrcpt: 0, quarantine: 0 });
    for (const [name, rows] of keptRows) {
      expect(await rowsOf(mails[name]!)).toEqual(rows);
      expect(rows.quarantine).toBeGreaterThan(0);
    }
    expect(await survivors()).toEqual(survivorsBefore);

    expect(await maddrExists(oldOrphanId)).toBe(false);
    expect(await maddrExists(newOrphanId)).toBe(true);
    // Senders only the deleted mail used are gone; the others, and the recipients, stay.
    for (const name of ['old', 'old2', 'oldInFlight', 'allDeleted', 'orphan']) expect(await maddrExists(senderIds[name]!)).toBe(false);
    for (const name of ['partlyDeleted', 'inFlightDeleted', 'fresh', 'pastGrace']) expect(await maddrExists(senderIds[name]!)).toBe(true);
    expect(await maddrId(ALICE)).toBeDefined();
    expect(await maddrId(BOB)).toBeDefined();
    // No stored message points at a missing address.
    const [dangling] = await q<{ rids: number; sids: number }>(
      `SELECT (SELECT COUNT(*) FROM msgrcpt r LEFT JOIN maddr a ON a.id = r.rid WHERE a.id IS NULL) AS rids,
              (SELECT COUNT(*) FROM msgs m LEFT JOIN maddr a ON a.id = m.sid WHERE a.id IS NULL) AS sids`,
    );
    expect([Number(dangling?.rids), Number(dangling?.sids)]).toEqual([0, 0]);

    const actors = (await context.appModels.Audit.findAll({ where: { actor: [`cleanup-old-${tag}`, `cleanup-kept-${tag}`] } })).map((a) => a.actor);
    expect(actors).toEqual([`cleanup-kept-${tag}`]);

    // Nothing is left to do: a second run finds nothing.
    const again = await cleanup.run({ dryRun: true });
    expect([again.expired.messages, again.allDeleted.messages, again.orphanRecipients.rows, again.orphanQuarantine.rows, again.addresses.rows, again.audit.rows]).toEqual(
      [0, 0, 0, 0, 0, 0],
    );
  });

  it('puts back an address that mail amavisd was processing used after it was deleted', async () => {
    // amavisd looks an address up, processes the mail for seconds, then writes msgrcpt with that id:
    // if the cleanup deleted the row meanwhile, the recipient row points at nothing. Simulated here
    // with a real message and a recipient row written with the id of a deleted address.
    const mail = await send('restore', [ALICE]);
    const email = `cleanup-late-${tag}@example.test`;
    const id = await insertAddress(email);
    const [row] = await q<DeletedAddress>('SELECT id, partition_tag, email, domain FROM maddr WHERE id = :id', { id });
    const deleted = { ...row!, id: String(row!.id) };
    const lateRecipient = async (rid: string) => {
      await exec('DELETE FROM msgrcpt WHERE partition_tag = :p AND mail_id = :m AND rseqnum = 99', key(mail));
      await exec("INSERT INTO msgrcpt (partition_tag, mail_id, rseqnum, rid, is_local, content, ds, rs) VALUES (:p, :m, 99, :rid, 'Y', 'S', 'D', '')", {
        ...key(mail),
        rid,
      });
    };
    const ridOfLate = async () => (await q<{ rid: string }>('SELECT rid FROM msgrcpt WHERE partition_tag = :p AND mail_id = :m AND rseqnum = 99', key(mail)))[0]?.rid;
    try {
      await exec('DELETE FROM maddr WHERE id = :id', { id });
      await lateRecipient(id);
      expect(await restoreAddresses(store, [deleted])).toBe(1);
      // Back under its own id, so amavisd processes still holding that id stay right.
      expect(await maddrId(email)).toBe(id);
      expect(await ridOfLate()).toBe(id);
      expect(await restoreAddresses(store, [])).toBe(0);

      // Meanwhile amavisd saw the address missing and inserted it again: the row is repointed.
      await exec('DELETE FROM maddr WHERE id = :id', { id });
      const newId = await insertAddress(email);
      expect(await restoreAddresses(store, [deleted])).toBe(1);
      expect(await ridOfLate()).toBe(newId);
      expect(await maddrExists(id)).toBe(false);
      expect(await restoreAddresses(store, [deleted])).toBe(0);
    } finally {
      await exec('DELETE FROM msgrcpt WHERE partition_tag = :p AND mail_id = :m AND rseqnum = 99', key(mail));
      await exec('DELETE FROM maddr WHERE email = :email', { email: Buffer.from(email) });
    }
  });

  it('the CLI: --dry-run prints the report and changes nothing; --json; bad input exits 2, a dead database 1', async () => {
    const before = await tableCounts();
    const dry = await runCleanupMain(serverEnv(), ['--dry-run']);
    expect(dry.stderr).not.toMatch(/failed|error/i);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/amavis-quarantine cleanup \(dry run: nothing was deleted\)/);
    expect(dry.stdout).toMatch(/messages older than 14 days \(received before \d{4}-\d\d-\d\dT.*\): would delete \d+ messages/);
    expect(dry.stdout).toMatch(/maddr addresses no message uses \(ids up to \d+\): would delete \d+/);
    expect(dry.stdout).toMatch(/audit entries older than 365 days: would delete \d+/);
    expect(await tableCounts()).toEqual(before);

    const json = await runCleanupMain(serverEnv({ AQ_RETENTION_DAYS: '30' }), ['--dry-run', '--json', '--batch-size', '1']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as CleanupReport & { ok: boolean };
    expect(report).toMatchObject({ ok: true, dryRun: true, retentionDays: 30, auditRetentionDays: 365, warnings: [] });
    expect(await tableCounts()).toEqual(before);

    const usage = await runCleanupMain(serverEnv(), ['--batch-size', '0']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--batch-size must be a whole number/);
    const config = await runCleanupMain({ ...serverEnv(), AQ_DB_URL: 'not-a-url' }, ['--dry-run']);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/AQ_DB_URL must look like mysql:\/\//);
    const dead = await runCleanupMain(serverEnv({ AQ_DB_URL: DEAD_DB }), ['--dry-run']);
    expect(dead.code).toBe(1);
    expect(dead.stderr).toMatch(DEAD_DB_FAILURE);
  });

  it(
    'npm run cleanup, as cron runs it: a failure is exit code 1 and a message on stderr',
    async () => {
      // Only the AQ_* settings given here, as in a crontab.
      const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AQ_'))), ...serverEnv({ AQ_DB_URL: DEAD_DB }) };
      const failed = await run('npm', ['run', '--silent', 'cleanup', '--', '--dry-run'], { env, cwd: ROOT, timeout: SPAWN_LIMIT_MS }).then(
        () => expect.fail('npm run cleanup exited 0 with a dead database'),
        (err: { code?: unknown; stderr?: string }) => err,
      );
      expect(failed.stderr).toMatch(DEAD_DB_FAILURE);
      expect(failed.code).toBe(1);
    },
    SPAWN_LIMIT_MS + 60_000,
  );
});
