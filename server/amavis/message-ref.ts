/** One recipient's copy of a quarantined message: the key of a msgrcpt row. */
export interface MessageRef {
  partitionTag: number;
  mailId: string;
  rseqnum: number;
}

// mail_id is amavis's base64url id (12 chars since 2.7; older ones used '+'). Anything else is forged.
const MAIL_ID = /^[A-Za-z0-9][A-Za-z0-9_+-]{0,15}$/;

/** Encodes a row key as the opaque id the API hands out. It identifies; it does not authorize. */
export function encodeMessageRef(ref: MessageRef): string {
  return Buffer.from(`${ref.partitionTag}:${ref.mailId}:${ref.rseqnum}`, 'utf8').toString('base64url');
}

/** Decodes an id from a URL; undefined for anything that is not exactly what encodeMessageRef makes. */
export function decodeMessageRef(id: string): MessageRef | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return undefined;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const m = /^(-?\d{1,10}):([^:]+):(\d{1,5})$/.exec(text);
  if (!m?.[1] || !m[2] || !m[3] || !MAIL_ID.test(m[2])) return undefined;
  const ref = { partitionTag: Number(m[1]), mailId: m[2], rseqnum: Number(m[3]) };
  if (!Number.isSafeInteger(ref.partitionTag) || Math.abs(ref.partitionTag) > 2 ** 31) return undefined;
  return encodeMessageRef(ref) === id ? ref : undefined;
}
