import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MessageRef } from '../amavis/message-ref';

/*
 * Self-service links that we sign (AQ_LINK_SECRET). amavis's secret_id belongs to the whole message, so a
 * link made of it can name any recipient; ours names one msgrcpt row and an expiry, under our HMAC:
 *
 *   partition_tag "." mail_id "." rseqnum "." expiry "." base64url(HMAC-SHA256(secret, "aq-link-v1\n" p "\n" mail_id "\n" rseqnum "\n" expiry))
 *
 * expiry is in Unix seconds. Every part is URL- and form-safe except a '+' in old mail_ids, which
 * URLSearchParams encodes. amavisd's templates cannot compute this: mails we send (the digest) carry it.
 */

const TOKEN = /^(-?\d{1,10})\.([A-Za-z0-9][A-Za-z0-9_+-]{0,15})\.(\d{1,5})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

const macOf = (secret: string, ref: MessageRef, expiry: string) =>
  createHmac('sha256', secret).update(`aq-link-v1\n${ref.partitionTag}\n${ref.mailId}\n${ref.rseqnum}\n${expiry}`).digest();

/** Signs a link token for one recipient's copy, valid until `expiresAt` (Unix seconds). */
export function signLinkToken(secret: string, ref: MessageRef, expiresAt: number): string {
  const expiry = String(Math.floor(expiresAt));
  return `${ref.partitionTag}.${ref.mailId}.${ref.rseqnum}.${expiry}.${macOf(secret, ref, expiry).toString('base64url')}`;
}

/** What checking a token found: the copy it names, or why it names none. */
export type LinkTokenCheck = { ok: true; ref: MessageRef; expiresAt: number } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks a token's form, then its signature (in constant time), then its expiry (`now` in Unix seconds). Pure. */
export function verifyLinkToken(token: string, secret: string, now: number): LinkTokenCheck {
  const parts = TOKEN.exec(token);
  if (!parts) return { ok: false, reason: 'invalid' };
  const [, p = '', mailId = '', rseqnum = '', expiry = '', mac = ''] = parts;
  const ref = { partitionTag: Number(p), mailId, rseqnum: Number(rseqnum) };
  const given = Buffer.from(mac, 'base64url');
  const expected = macOf(secret, ref, expiry);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  // Only a genuine token learns that it has expired.
  const expiresAt = Number(expiry);
  return expiresAt <= now ? { ok: false, reason: 'expired' } : { ok: true, ref, expiresAt };
}
