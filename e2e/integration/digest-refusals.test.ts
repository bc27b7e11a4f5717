import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DigestRunReport } from '../../server/digest/digest-run';
import { DIGEST_ENV, lmtpUrl, runDigest } from '../support/digest';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';

const DAY = 86_400_000;

// A local recipient that has no mailbox: amavisd quarantines its spam (example.test is local to it), and the
// real Dovecot LMTP refuses the digest with a 5xx ("550 5.1.1 … User doesn't exist"). Each refusal is
// recorded (the sent-log's `refused`, the run's --json), and after each one in a row the next try waits twice
// as long: one period, two, four… The address is new to every run of this file, so its streak starts at 0;
// the runs' clocks (--now-at) move a day at a time from now, within the retention period of its mail.
describe('digests refused for good (5xx) back off', () => {
  let server: TestServer;
  const address = `nomailbox-${randomBytes(4).toString('hex')}@example.test`;
  const env = () => ({ ...DIGEST_ENV, AQ_SMTP_URL: lmtpUrl() });
  // Whole seconds: MariaDB keeps DATETIME without fractions.
  const start = Math.floor((Date.now() + 60_000) / 1000) * 1000;
  const at = (days: number) => new Date(start + days * DAY).toISOString();
  /** A run for everyone, as cron does, at `days` after the start: its exit code and report. */
  const runAt = async (days: number) => {
    const run = await runDigest(env(), ['--now-at', at(days), '--json']);
    return { code: run.code, report: JSON.parse(run.out) as DigestRunReport & { ok: boolean } };
  };
  const spam = () => sendThroughAmavis(server.context, { to: [address], subject: `No mailbox ${randomBytes(3).toString('hex')}` });

  beforeAll(async () => {
    server = await startTestServer({ ...env() });
    // Daily, whatever the site's default is now (another file sets levels): the address's own setting.
    await server.context.digestModels.Setting.upsert({ level: 'user', key: address, frequency: 'daily', language: 'en', updated_at: new Date(), updated_by: 'test' });
  });
  afterAll(async () => {
    await server.context.digestModels.Setting.destroy({ where: { level: 'user', key: address } });
    await server.close();
  });

  it('records each refusal with the server’s reply, and waits one period, then two, before trying again', async () => {
    await spam();
    const first = await runAt(0);
    expect(first.code).toBe(1);
    expect(first.report.failed).toContain(address);
    const refusal = first.report.refused.find((r) => r.address === address);
    expect(refusal).toMatchObject({ refusals: 1, refusedAt: at(0), nextTryAt: at(1) });
    expect(refusal!.reply).toMatch(/\b5\d\d\b/);

    // A day later, with new spam: due again (one period), refused again; now it waits two days.
    await spam();
    const second = await runAt(1);
    expect(second.report.refused.find((r) => r.address === address)).toMatchObject({ refusals: 2, refusedAt: at(1), nextTryAt: at(3) });

    // Another day, more spam: not tried (it waits), not a failure of this run.
    await spam();
    const waiting = await runAt(2);
    expect(waiting.report.waiting.find((r) => r.address === address)).toMatchObject({ refusals: 2, nextTryAt: at(3) });
    expect(waiting.report.failed).not.toContain(address);

    // Two days after the second refusal it is tried again (the new spam waited): refused a third time, four days' wait.
    const third = await runAt(3);
    expect(third.report.refused.find((r) => r.address === address)).toMatchObject({ refusals: 3, nextTryAt: at(7) });

    // What an admin sees: one `refused` row per try in the sent-log, each with the reply; the text report says when it is tried next.
    const log = await server.context.digestModels.Log.findAll({ where: { address }, order: [['id', 'ASC']] });
    expect(log.map((row) => row.status)).toEqual(['refused', 'refused', 'refused']);
    for (const row of log) expect(row.detail).toMatch(/\b5\d\d\b/);
    await spam();
    const text = await runDigest(env(), ['--now-at', at(4)]);
    expect(text.out).toContain(`${address} (3 in a row, until ${at(7)})`);
  }, 600_000);
});
