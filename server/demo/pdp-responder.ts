import { createHash } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Sequelize } from 'sequelize';
import { decodePdpValue, encodePdpValue } from '../clients/pdp-protocol';

/** amavisd's answer to a release it could not do now: a 4xx setreply, so the copy stays in quarantine. */
const tempfail = (text: string) => [`setreply=450 4.5.0 ${encodePdpValue(`Failure: ${text}`)}`, 'return_value=tempfail', 'exit_code=75'];

/**
 * Runs a demo database read again while SQLite says it is busy: the server's releases write to the same
 * file from their own connections, and in WAL mode a reader can still meet a moment's lock (a checkpoint).
 */
async function retryBusy<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      const code = (err as { parent?: { code?: string } }).parent?.code;
      if (code !== 'SQLITE_BUSY' || attempt >= 8) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    }
  }
}

/**
 * The demo's stand-in for amavisd's AM.PDP policy bank. It behaves as amavisd does for releases: it
 * checks that the secret_id belongs to the mail_id, answers one setreply per recipient, and delivers the
 * quarantined copy (with Resent-From) into the demo IMAP INBOX. Used only in demo mode.
 */
export async function startDemoPdp(sequelize: Sequelize, deliver: (raw: Buffer, recipient: string) => void): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    let buffer = '';
    // One request after another on a connection, answered in order, as amavisd does.
    let turn = Promise.resolve();
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n\r\n'); end !== -1; end = buffer.indexOf('\r\n\r\n')) {
        const lines = buffer.slice(0, end).split('\r\n');
        buffer = buffer.slice(end + 4);
        turn = turn
          .then(() => answer(lines))
          // Whatever goes wrong is a temporary failure of this one release, never the end of the demo.
          .catch((err: unknown) => tempfail(`demo release failed: ${(err as Error).message}`))
          .then((reply) => {
            if (!socket.destroyed) socket.write(`${reply.join('\r\n')}\r\n\r\n`);
          });
      }
    });
    socket.on('error', () => undefined);
  });

  async function answer(lines: string[]): Promise<string[]> {
    const attrs = new Map<string, string[]>();
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq > 0) attrs.set(line.slice(0, eq), [...(attrs.get(line.slice(0, eq)) ?? []), decodePdpValue(line.slice(eq + 1))]);
    }
    const one = (name: string) => attrs.get(name)?.[0] ?? '';
    if (one('request') !== 'release') return tempfail(`unknown 'request' value: ${one('request')}`);
    const mailId = one('mail_id');
    const secret = Buffer.from(one('secret_id').replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    const derived = createHash('md5').update(secret).digest('base64').replace(/\+/g, '-').replace(/\//g, '_').slice(0, 12);
    if (derived !== mailId) return tempfail(`Secret_id ${one('secret_id')} does not match mail_id ${mailId}`);
    const chunks = (await retryBusy(() =>
      sequelize.query('SELECT mail_text FROM quarantine WHERE partition_tag = :p AND mail_id = :m ORDER BY chunk_ind', {
        replacements: { p: Number(one('partition_tag') || 0), m: Buffer.from(mailId) },
      }),
    )) as [Array<{ mail_text: Buffer }>, unknown];
    if (chunks[0].length === 0) return tempfail(`Can't open sql obj for reading: ${mailId}`);
    // amavisd drops the X-Envelope-* lines it added and re-sends the original, with Resent-From.
    const stored = Buffer.concat(chunks[0].map((c) => c.mail_text))
      .toString('latin1')
      .replace(/^(X-Envelope-[^\r\n]*\r\n)+/, '');
    const requestedBy = one('requested_by').replace(/^<|>$/g, '');
    const recipients = (attrs.get('recipient') ?? []).map((r) => r.replace(/^<|>$/g, ''));
    if (recipients.length === 0) return ['setreply=250 2.5.0 No%20recipients,%20nothing%20to%20do', 'return_value=ok', 'exit_code=0'];
    const raw = Buffer.from(`${requestedBy ? `Resent-From: <${requestedBy}>\r\n` : ''}${stored}`, 'latin1');
    return [
      ...recipients.map((r) => {
        deliver(raw, r);
        return `setreply=250 2.0.0 ${encodePdpValue(`from MTA(demo-imap): 250 2.0.0 <${r}> Saved`)}`;
      }),
      'return_value=ok',
      'exit_code=0',
    ];
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
