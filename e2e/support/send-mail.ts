import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../../server/context';
import { readListIndexState } from '../../server/amavis/list-indexer';
import { encodeMessageRef } from '../../server/amavis/message-ref';
import { stackEnv } from './stack';
import { amavisModels } from './amavis-models';

const run = promisify(execFile);

/** SpamAssassin's GTUBE: scores 1000, so amavisd quarantines the mail as spam. */
export const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

/**
 * Sends a mail through the real amavisd over SMTP (as production mail arrives) and waits until amavisd
 * has stored it. Returns the API id of each recipient's row.
 */
export async function sendThroughAmavis(
  context: AppContext,
  mail: { to: string[]; subject?: string; body?: string; from?: string; headers?: string[]; attachment?: { name: string; content: string } },
): Promise<Record<string, string>> {
  const messageId = `<test.${randomBytes(6).toString('hex')}@tests.example.test>`;
  const args = ['--server', `127.0.0.1:${stackEnv().AQ_SMTP_IN_PORT}`, '--from', mail.from ?? 'test-sender@sender.example.net'];
  // One --to with a comma-separated list: a repeated --to would replace the earlier ones.
  args.push('--to', mail.to.join(','));
  args.push('--header', `Subject: ${mail.subject ?? `Test spam ${messageId}`}`, '--header', `Message-Id: ${messageId}`, '--body', mail.body ?? `Hello.\n\n${GTUBE}\n`);
  for (const header of mail.headers ?? []) args.push('--header', header);
  if (mail.attachment) {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'aq-attach-')), 'attachment');
    writeFileSync(file, mail.attachment.content);
    args.push('--attach-type', 'application/octet-stream', '--attach-name', mail.attachment.name, '--attach', `@${file}`);
  }
  await run('swaks', [...args, '--silent', '2'], { timeout: 60_000 });
  return storedIds(context, messageId);
}

/**
 * Sends `to` a spam (GTUBE) and a blocked attachment (invoice.exe), the two types a list's filters tell
 * apart, under the two subjects given; then takes the list indexer's turn, so that both are listed.
 */
export async function sendSpamAndBanned(context: AppContext, to: string[], subjects: { spam: string; banned: string }): Promise<void> {
  await sendThroughAmavis(context, { to, subject: subjects.spam, body: `Hello.\n\n${GTUBE}\n` });
  await sendThroughAmavis(context, { to, subject: subjects.banned, body: 'Pay.\n', attachment: { name: 'invoice.exe', content: 'MZ not really a program' } });
  await context.listIndexer.runOnce();
}

/**
 * Waits until amavisd has stored the mail with this Message-Id, and returns the API id of each recipient's
 * row. amavisd answers SMTP once it has processed the mail, so this is normally at once; the bound is
 * generous so that it holds on a fully loaded machine.
 */
export async function storedIds(context: AppContext, messageId: string): Promise<Record<string, string>> {
  const models = amavisModels(context);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const msg = await models.Msg.findOne({ where: { message_id: messageId } });
    if (msg?.content) {
      // Mail amavisd delivered (an allowed sender, a spam lover) is not quarantined: nothing to list; of a
      // message held for some recipients, only their copies are listed.
      if (msg.quar_type === 'Q') await listIndexed(context, msg.partition_tag, msg.mail_id, deadline);
      const ids: Record<string, string> = {};
      for (const row of await models.Msgrcpt.findAll({ where: { partition_tag: msg.partition_tag, mail_id: msg.mail_id } })) {
        const addr = await models.Maddr.findByPk(row.rid);
        ids[addr?.email ?? '?'] = encodeMessageRef({ partitionTag: msg.partition_tag, mailId: msg.mail_id, rseqnum: row.rseqnum });
      }
      return ids;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`amavisd did not store ${messageId}`);
}

/**
 * Waits until the list index (npm run migrate) lists this message, as the server's indexer does within
 * its interval: the test takes the indexer's turn itself, so that it waits for no timer. A sync point,
 * never evidence: what a test proves, it proves through the API. No wait when the index is not installed.
 */
async function listIndexed(context: AppContext, partitionTag: number, mailId: string, deadline: number): Promise<void> {
  const state = await readListIndexState(context.sequelize);
  if (!state?.ready) return;
  const count = async (sql: string) => {
    const [row] = await context.sequelize.query<{ n: string }>(sql, { type: QueryTypes.SELECT, replacements: { p: partitionTag, m: Buffer.from(mailId) } });
    return Number(row?.n ?? 0);
  };
  const open = await count("SELECT COUNT(*) AS n FROM msgrcpt WHERE partition_tag = :p AND mail_id = :m AND rs <> 'D' AND COALESCE(content, '') <> 'C'");
  while (Date.now() < deadline) {
    await context.listIndexer.runOnce();
    if ((await count('SELECT COUNT(*) AS n FROM aq_list WHERE partition_tag = :p AND mail_id = :m')) >= open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the list index did not take message ${mailId}`);
}
