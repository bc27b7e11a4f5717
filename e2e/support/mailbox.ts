import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import { stackEnv } from './stack';

/** Reads a test user's INBOX over IMAP (real Dovecot) and returns the messages whose header matches. */
export async function inboxMessages(user: { email: string; password: string }, header: string, value: string): Promise<string[]> {
  const env = stackEnv();
  const client = new ImapFlow({
    host: env.AQ_IMAP_HOST,
    port: Number(env.AQ_IMAP_PORT),
    secure: false,
    doSTARTTLS: true,
    tls: { ca: readFileSync(env.AQ_IMAP_CA_FILE) },
    auth: { user: user.email, pass: user.password },
    logger: false,
  });
  await client.connect();
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const uids = (await client.search({ header: { [header]: value } }, { uid: true })) || [];
      const sources: string[] = [];
      for (const uid of uids) {
        const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (message && message.source) sources.push(message.source.toString('utf8'));
      }
      return sources;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

/**
 * Waits until a message whose header matches (and whose decoded text passes `accept`) is in the INBOX,
 * since delivery is asynchronous; returns the matching messages.
 */
export async function waitForInbox(
  user: { email: string; password: string },
  header: string,
  value: string,
  accept: (text: string) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found: string[] = [];
    for (const source of await inboxMessages(user, header, value)) if (accept(await textOf(source))) found.push(source);
    if (found.length > 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The decoded text body of a raw message (bodies may be quoted-printable or base64 on the wire). */
export async function textOf(source: string): Promise<string> {
  const { default: PostalMime } = await import('postal-mime');
  return (await PostalMime.parse(source)).text ?? '';
}
