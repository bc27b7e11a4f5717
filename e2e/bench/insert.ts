/**
 * `npm run bench:insert`: does the list index slow amavisd down? Sends GTUBE mails through the real
 * amavisd of the test stack (MariaDB, then amavisd-pg on PostgreSQL) and times how fast amavisd takes and
 * stores them, in rounds that alternate between no list index (a), the list index with an indexer at its
 * default interval in this process (b), and an indexer every 100 ms (c). Prints each round, then each
 * variant against (a); always exits 0 (no test asserts on time). Restores the list index as it found it,
 * and deletes the mails it sent through the retention cleanup's store (--keep leaves them).
 *
 *   flock /tmp/aq-stack.lock npm run bench:insert -- --db both --mails 300 --concurrency 4 --rounds abcabc
 *
 * It drops and creates aq_list in the stack's `amavis` databases: hold the stack's lock, as tests do.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../../server/db/connect';
import { STACK_DIR, stackEnvFile } from '../support/stack';
import { deleteBenchMails, dropListIndex, installListIndex, listIndexInstalled } from './insert-index';
import { printDatabase } from './insert-report';
import { BENCH_RECIPIENT, runRound, type RoundResult, type Variant } from './insert-round';
import { smtpGreets } from './smtp-send';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    mails: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '4' },
    rounds: { type: 'string', default: 'abcabc' },
    warmup: { type: 'string', default: '12' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run bench:insert -- [--db mariadb|postgres|both] [--mails 300] [--concurrency 4] [--rounds abcabc] [--warmup 12] [--keep]');
  process.exit(0);
}
const kinds: Array<'mariadb' | 'postgres'> = values.db === 'both' ? ['mariadb', 'postgres'] : values.db === 'mariadb' || values.db === 'postgres' ? [values.db] : [];
const mails = Math.min(5_000, Math.max(1, Number(values.mails) || 300));
const concurrency = Math.min(32, Math.max(1, Number(values.concurrency) || 4));
const rounds = [...values.rounds.replace(/[\s,]/g, '')] as Variant[];
const warmup = Math.max(0, Number(values.warmup) || 0);
if (kinds.length === 0 || rounds.length === 0 || rounds.some((r) => !['a', 'b', 'c'].includes(r))) {
  console.error('bench:insert: --db is mariadb, postgres or both; --rounds a string of a, b and c (e.g. abcabc)');
  process.exit(2);
}

const runId = randomBytes(4).toString('hex');

/** amavisd's number of children, from the config up.sh rendered for that instance. */
function maxServers(instance: string): string {
  try {
    return /^\s*\$max_servers\s*=\s*(\d+)/m.exec(readFileSync(path.join(STACK_DIR, 'etc', `${instance}.conf`), 'utf8'))?.[1] ?? '?';
  } catch {
    return '?';
  }
}

async function serverVersion(sequelize: Sequelize): Promise<string> {
  const [rows] = await sequelize.query(sequelize.getDialect() === 'postgres' ? "SELECT split_part(version(), ' on ', 1) AS v" : 'SELECT VERSION() AS v');
  return String((rows as Array<{ v: string }>)[0]?.v);
}

async function benchDatabase(kind: 'mariadb' | 'postgres'): Promise<void> {
  const env = stackEnvFile();
  const url = kind === 'mariadb' ? env.AQ_DB_URL : env.AQ_PG_DB_URL;
  const port = Number(kind === 'mariadb' ? env.AQ_SMTP_IN_PORT : env.AQ_PG_SMTP_IN_PORT);
  const instance = kind === 'mariadb' ? 'amavisd' : 'amavisd-pg';
  if (!(await smtpGreets(port))) {
    throw new Error(`nothing answers SMTP on 127.0.0.1:${port}: start the stack (flock /tmp/aq-stack.lock bash e2e/stack/up.sh, then seed.sh)`);
  }
  const sequelize = createSequelize(url);
  const indexerSequelize = createSequelize(url);
  const base = `<aqbench.${runId}.${kind}.`;
  const senderPrefix = `aqbench-${runId}-${kind}-`;
  const installedBefore = await listIndexInstalled(sequelize);
  console.log(
    `\n== ${kind === 'mariadb' ? 'MariaDB' : 'PostgreSQL'}: ${instance} on 127.0.0.1:${port} (${maxServers(instance)} children), ${await serverVersion(sequelize)}`,
  );
  console.log(`${mails} mails a round at concurrency ${concurrency}, rounds ${rounds.join(',')}; list index installed before: ${installedBefore ? 'yes' : 'no'}`);
  const results: RoundResult[] = [];
  try {
    if (warmup > 0) {
      // SpamAssassin compiles its rules in each child on its first mail: keep that out of round 1.
      const w = await runRound({
        kind,
        port,
        sequelize,
        indexerSequelize,
        variant: 'a',
        mails: warmup,
        concurrency,
        prefix: `${base}w.`,
        senderPrefix: `${senderPrefix}w`,
      });
      console.log(`warm-up: ${warmup} mails, ${w.stored} stored${w.failed ? `, ${w.failed} failed (${w.firstError})` : ''}`);
      if (w.stored === 0) throw new Error(`amavisd stored none of the warm-up mails: ${w.firstError ?? 'see its log'}`);
    }
    for (const [i, variant] of rounds.entries()) {
      if (variant === 'a') await dropListIndex(sequelize);
      else await installListIndex(sequelize);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const result = await runRound({
        kind,
        port,
        sequelize,
        indexerSequelize,
        variant,
        mails,
        concurrency,
        prefix: `${base}r${i + 1}.`,
        senderPrefix: `${senderPrefix}r${i + 1}-`,
      });
      results.push(result);
      const listed = result.listed ? `, listed ${result.listed.final}/${result.quarantined}` : '';
      console.log(
        `round ${i + 1} (${variant}): ${result.stored}/${mails} stored in ${result.seconds.toFixed(1)} s${listed}, load ${result.load[0].toFixed(2)} -> ${result.load[1].toFixed(2)}`,
      );
    }
  } finally {
    // Mails first: a list index rebuilt afterwards holds none of them.
    if (!values.keep) {
      const removed = await deleteBenchMails(sequelize, base, [senderPrefix, BENCH_RECIPIENT]);
      console.log(`cleanup: ${removed.messages} bench mails and ${removed.addresses} of their addresses deleted through the retention cleanup's store`);
    }
    await dropListIndex(sequelize);
    if (installedBefore) await installListIndex(sequelize);
    console.log(`list index ${installedBefore ? 'installed and built again' : 'removed again'}, as before the bench`);
    await Promise.all([sequelize.close(), indexerSequelize.close()]);
  }
  printDatabase(kind, results, mails);
}

async function main(): Promise<void> {
  console.log(
    `bench:insert run ${runId}; ${os.availableParallelism()} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const kind of kinds) await benchDatabase(kind);
  console.log('\nNo test asserts on these figures; compare rounds of one run, on one machine.');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench:insert failed:', err);
    process.exit(1);
  },
);
