import type { AppContext } from '../../server/context';
import { encodeMessageRef } from '../../server/amavis/message-ref';
import { seedManifest } from './stack';
import { amavisModels } from './amavis-models';

/** The API ids of a seed mail's recipient rows, keyed by recipient address, read through the models. */
export async function seedIds(context: AppContext, name: string): Promise<Record<string, string>> {
  const mail = seedManifest().mails[name];
  if (!mail) throw new Error(`the seed has no mail named ${name}`);
  const msg = await amavisModels(context).Msg.findOne({ where: { message_id: mail.messageId } });
  if (!msg) throw new Error(`amavisd stored no row for ${mail.messageId}`);
  const rows = await amavisModels(context).Msgrcpt.findAll({ where: { partition_tag: msg.partition_tag, mail_id: msg.mail_id } });
  const ids: Record<string, string> = {};
  for (const row of rows) {
    const addr = await amavisModels(context).Maddr.findByPk(row.rid);
    ids[addr?.email ?? '?'] = encodeMessageRef({ partitionTag: msg.partition_tag, mailId: msg.mail_id, rseqnum: row.rseqnum });
  }
  return ids;
}

/** The one id of a single-recipient seed mail. */
export async function seedId(context: AppContext, name: string): Promise<string> {
  const ids = Object.values(await seedIds(context, name));
  if (ids.length !== 1 || !ids[0]) throw new Error(`seed mail ${name} has ${ids.length} recipient rows`);
  return ids[0];
}
