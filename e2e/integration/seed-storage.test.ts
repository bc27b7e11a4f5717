import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Op } from 'sequelize';
import { loadConfig } from '../../server/config';
import { createContext, type AppContext } from '../../server/context';
import { createLogger } from '../../server/logger';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { sendThroughAmavis } from '../support/send-mail';
import { seedManifest, serverEnv, type SeedMail } from '../support/stack';
import { amavisModels } from '../support/amavis-models';

// The seed mails went through the real amavisd over SMTP (e2e/stack/seed.sh). Here the server's own
// models read what amavisd stored: proof that the models match the real schema and data.
describe('seed mail in the amavis storage, read through the server models', () => {
  let context: AppContext;
  const { mails } = seedManifest();
  const quarantined = Object.entries(mails).filter(([, m]) => m.expect !== 'C');

  beforeAll(() => {
    context = createContext(loadConfig(serverEnv()), createLogger('silent'));
  });
  afterAll(() => context.close());

  const msgOf = async (mail: SeedMail) => {
    const msg = await amavisModels(context).Msg.findOne({ where: { message_id: mail.messageId } });
    if (!msg) throw new Error(`amavisd stored no msgs row for ${mail.messageId}`);
    return msg;
  };

  it.each(quarantined)('%s is quarantined in SQL with the expected content code', async (_name, mail) => {
    const msg = await msgOf(mail);
    expect(msg.content).toBe(mail.expect);
    expect(msg.quar_type).toBe('Q');
    expect(msg.mail_id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(msg.secret_id).toMatch(/^[A-Za-z0-9_-]{12}$/);

    const rcpts = await amavisModels(context).Msgrcpt.findAll({
      where: { partition_tag: msg.partition_tag, mail_id: msg.mail_id },
      order: [['rseqnum', 'ASC']],
    });
    const addrs = await amavisModels(context).Maddr.findAll({ where: { id: { [Op.in]: rcpts.map((r) => r.rid) } } });
    expect(addrs.map((a) => a.email).sort()).toEqual([...mail.to].sort());

    const chunks = await amavisModels(context).Quarantine.findAll({
      where: { partition_tag: msg.partition_tag, mail_id: msg.mail_id },
      order: [['chunk_ind', 'ASC']],
    });
    expect(chunks.length).toBeGreaterThan(0);
    const text = Buffer.concat(chunks.map((c) => c.mail_text)).toString('latin1');
    expect(text).toMatch(/^X-Envelope-From: /);
    expect(text).toContain(`X-Quarantine-ID: <${msg.mail_id}>`);
  });

  it('leaves rs blank: setting it is the quarantine manager\u2019s job', async () => {
    // A fresh mail, since other tests open the seed mail (and opening marks it viewed).
    const ids = await sendThroughAmavis(context, { to: ['alice@example.test', 'bob@example.test'] });
    for (const id of Object.values(ids)) {
      const ref = decodeMessageRef(id);
      const row = await amavisModels(context).Msgrcpt.findOne({ where: { partition_tag: ref?.partitionTag, mail_id: ref?.mailId, rseqnum: ref?.rseqnum } });
      expect(row?.rs).toBe('');
    }
  });

  it('stores one msgrcpt row per recipient of the multi-recipient spam', async () => {
    const mail = mails['spam-multi'];
    if (!mail) throw new Error('seed has no spam-multi');
    const msg = await msgOf(mail);
    const rows = await amavisModels(context).Msgrcpt.findAll({ where: { partition_tag: msg.partition_tag, mail_id: msg.mail_id } });
    expect(rows.map((r) => r.rseqnum).sort()).toEqual([1, 2]);
  });

  it('keeps the 2 MB spam in many chunks that join to the whole message', async () => {
    const mail = mails['big-spam'];
    if (!mail) throw new Error('seed has no big-spam');
    const msg = await msgOf(mail);
    const chunks = await amavisModels(context).Quarantine.findAll({
      where: { partition_tag: msg.partition_tag, mail_id: msg.mail_id },
      order: [['chunk_ind', 'ASC']],
    });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.chunk_ind)).toEqual(chunks.map((_, i) => i + 1));
    const total = chunks.reduce((n, c) => n + c.mail_text.length, 0);
    expect(total).toBeGreaterThanOrEqual(2 * 1024 * 1024);
  });

  it('stores the 8-bit and emoji subject decoded, as UTF-8', async () => {
    const mail = mails['utf8-subject'];
    if (!mail) throw new Error('seed has no utf8-subject');
    const msg = await msgOf(mail);
    expect(msg.subject).toContain('Grüße aus Köln 🎉');
  });

  it('records the clean mail as clean and does not quarantine it', async () => {
    const mail = mails.clean;
    if (!mail) throw new Error('seed has no clean');
    const msg = await msgOf(mail);
    expect(msg.content).toBe('C');
    expect(msg.quar_type ?? '').toBe('');
    expect(await amavisModels(context).Quarantine.count({ where: { mail_id: msg.mail_id } })).toBe(0);
  });
});
