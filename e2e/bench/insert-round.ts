import os from 'node:os';
import type { Sequelize } from 'sequelize';
import { createListIndexer } from '../../server/amavis/list-indexer';
import { GTUBE } from '../support/send-mail';
import { databaseCpuSeconds, listedCount, storedCount } from './insert-index';
import { smtpSend, type SmtpTiming } from './smtp-send';

/** a: no list index; b: the list index and an indexer at its default interval (1 s); c: an indexer every 100 ms. */
export type Variant = 'a' | 'b' | 'c';

export const VARIANT_LABEL: Record<Variant, string> = { a: 'a: no list index', b: 'b: indexer every 1 s', c: 'c: indexer every 100 ms' };
export const INDEXER_INTERVAL_MS: Record<Variant, number | null> = { a: null, b: 1_000, c: 100 };

/** The one recipient of every bench mail: a local address of the stack that no test user owns. */
export const BENCH_RECIPIENT = 'aq-bench-insert@example.test';

export interface RoundOptions {
  kind: 'mariadb' | 'postgres';
  port: number;
  /** The amavis database, for the stored-row and list counts. */
  sequelize: Sequelize;
  /** A second connection pool, as a server instance has its own: the indexer runs on it. */
  indexerSequelize: Sequelize;
  variant: Variant;
  mails: number;
  concurrency: number;
  /** Message-Id prefix of this round's mails, e.g. `<aqbench.1a2b3c.mariadb.r2.`. */
  prefix: string;
  /** Envelope senders are `${senderPrefix}${i}@sender.example.net`: a new maddr row per mail, as most spam brings. */
  senderPrefix: string;
}

export interface RoundResult {
  variant: Variant;
  sent: number;
  failed: number;
  firstError?: string;
  timings: SmtpTiming[];
  /** From the first connect to the moment every mail's msgs row was seen finished. */
  seconds: number;
  stored: number;
  quarantined: number;
  /** The 1-minute load average before and after the round. */
  load: [number, number];
  /** CPU seconds of the database server during the round. */
  dbCpu: number;
  /** With an indexer: the mails listed when the last was stored, at the end, and how long after the last was stored all were. */
  listed?: { atStored: number; final: number; lagMs: number | null };
  indexerErrors: number;
  firstIndexerError?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The mail's lines: GTUBE in the body, so SpamAssassin scores it 1000 and amavisd quarantines it. */
function benchMail(options: RoundOptions, i: number): { from: string; to: string; lines: string[] } {
  const from = `${options.senderPrefix}${i}@sender.example.net`;
  return {
    from,
    to: BENCH_RECIPIENT,
    lines: [
      `From: Bench sender ${i} <${from}>`,
      `To: <${BENCH_RECIPIENT}>`,
      `Subject: Insert bench ${options.variant} ${i}: cheap offer`,
      `Message-Id: ${options.prefix}${i}@bench.example.test>`,
      `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      `Hello, this is mail ${i} of the insert benchmark.`,
      '',
      GTUBE,
      '',
      'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.',
    ],
  };
}

/**
 * Sends `mails` mails at `concurrency` through amavisd and waits until every one is stored; with an
 * indexer (b, c), also until every one is in the list table (at most 30 s more). The indexer is started
 * before the first mail and stopped after the count, so it works through the whole round.
 */
export async function runRound(options: RoundOptions): Promise<RoundResult> {
  const interval = INDEXER_INTERVAL_MS[options.variant];
  let indexerErrors = 0;
  let firstIndexerError: string | undefined;
  const indexer =
    interval === null
      ? undefined
      : createListIndexer(options.indexerSequelize, {
          intervalMs: interval,
          onError: (err) => {
            indexerErrors++;
            firstIndexerError ??= (err as Error).message;
          },
        });
  const load0 = os.loadavg()[0] ?? 0;
  const cpu0 = databaseCpuSeconds(options.kind);
  indexer?.start();
  const timings: SmtpTiming[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  try {
    const worker = async () => {
      for (let i = next++; i < options.mails; i = next++) {
        try {
          timings.push(await smtpSend(options.port, benchMail(options, i)));
        } catch (err) {
          failed++;
          firstError ??= (err as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const expected = options.mails - failed;
    let counts = await storedCount(options.sequelize, options.prefix);
    for (const deadline = Date.now() + 120_000; counts.stored < expected && Date.now() < deadline;) {
      await sleep(50);
      counts = await storedCount(options.sequelize, options.prefix);
    }
    const seconds = (performance.now() - started) / 1000;
    const dbCpu = databaseCpuSeconds(options.kind) - cpu0;
    const load1 = os.loadavg()[0] ?? 0;
    let listed: RoundResult['listed'];
    if (indexer) {
      const storedAt = performance.now();
      const atStored = await listedCount(options.sequelize, options.prefix);
      let final = atStored;
      while (final < counts.quarantined && performance.now() - storedAt < 30_000) {
        await sleep(50);
        final = await listedCount(options.sequelize, options.prefix);
      }
      listed = { atStored, final, lagMs: final >= counts.quarantined ? performance.now() - storedAt : null };
    }
    return {
      variant: options.variant,
      sent: options.mails,
      failed,
      ...(firstError ? { firstError } : {}),
      timings,
      seconds,
      ...counts,
      load: [load0, load1],
      dbCpu,
      ...(listed ? { listed } : {}),
      indexerErrors,
      ...(firstIndexerError ? { firstIndexerError } : {}),
    };
  } finally {
    await indexer?.stop();
  }
}
