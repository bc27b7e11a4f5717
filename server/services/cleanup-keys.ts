import type { MailId, MessageKey } from '../amavis/cleanup-sql';

/** A message key as a string, for sets: mail_id is a Buffer from MariaDB, and Buffers never compare equal. */
export const keyOf = (k: MessageKey): string => `${k.partition_tag}:${Buffer.isBuffer(k.mail_id) ? k.mail_id.toString('hex') : k.mail_id}`;

/** Groups message keys by partition_tag, in order: the statements take one partition's mail_ids at a time. */
export function byPartition(keys: readonly MessageKey[]): Map<number, MailId[]> {
  const map = new Map<number, MailId[]>();
  for (const k of keys) {
    const p = Number(k.partition_tag);
    map.set(p, [...(map.get(p) ?? []), k.mail_id]);
  }
  return map;
}
