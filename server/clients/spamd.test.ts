import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpamdClient, encodeTellRequest, parseSpamdReply } from './spamd';

// Scripted peers for the exchanges and faults; the replies are the ones the real spamd 4.0.1 gives (the
// stack's spamd is exercised in e2e/integration/spamd-learn.test.ts).
const LEARNED = 'SPAMD/1.1 0 EX_OK\r\nDidSet: local\r\n\r\n\r\n';
const NOTHING = 'SPAMD/1.1 0 EX_OK\r\n\r\n\r\n';
const BAD_HEADER = 'SPAMD/1.0 76 Bad header line: Unable to set local and remove local in the same operation.\r\n';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A peer that reads the request head and Content-length bytes of body, then calls `answer` with them. */
async function peer(answer: (socket: net.Socket, head: string, body: Buffer) => void): Promise<number> {
  // allowHalfOpen: like spamd, keep the socket open for the reply after the client's half-close.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    let data = Buffer.alloc(0);
    let done = false;
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (done || end < 0) return;
      const head = data.subarray(0, end).toString();
      const length = Number(/Content-length: (\d+)/.exec(head)?.[1] ?? 0);
      if (data.length < end + 4 + length) return;
      done = true;
      answer(socket, head, data.subarray(end + 4));
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const client = (port: number, extra: { user?: string; maxMessageBytes?: number; timeoutMs?: number } = {}) =>
  createSpamdClient({ host: '127.0.0.1', port, timeoutMs: 2_000, ...extra });
const MESSAGE = Buffer.from('From: a@x.test\r\nSubject: hi\r\n\r\nbody without a final newline');

// A stream, as the IMAP or SQL source of a quarantined message gives one.
const pieces = (...parts: string[]): AsyncIterable<Buffer> => Readable.from(parts.map((p) => Buffer.from(p)));

describe('the spamd TELL client', () => {
  it("sends spamc -L's request and reads DidSet: local as learned", async () => {
    let seen = { head: '', body: '' };
    const port = await peer((socket, head, body) => {
      seen = { head, body: body.toString() };
      socket.end(LEARNED);
    });
    const result = await client(port).learn(MESSAGE, 'spam');
    expect(seen.head).toBe(`TELL SPAMC/1.5\r\nMessage-class: spam\r\nSet: local\r\nContent-length: ${MESSAGE.length}`);
    expect(seen.body).toBe(MESSAGE.toString());
    expect(result).toEqual({ outcome: 'learned', detail: `spamd at 127.0.0.1:${port} learned the message as spam` });
  });

  it('reads EX_OK without DidSet as already learned', async () => {
    const port = await peer((socket) => socket.end(NOTHING));
    const result = await client(port).learn(MESSAGE, 'ham');
    expect(result.outcome).toBe('already');
    expect(result.detail).toContain('already learned as ham');
  });

  it('sends the User header: the per-call one over the default', async () => {
    const heads: string[] = [];
    const port = await peer((socket, head) => {
      heads.push(head);
      socket.end(LEARNED);
    });
    await client(port, { user: 'amavis' }).learn(MESSAGE, 'ham');
    await client(port, { user: 'amavis' }).learn(MESSAGE, 'ham', { user: 'alice@example.test' });
    expect(heads.map((h) => h.split('\r\n').find((l) => l.startsWith('User:')))).toEqual(['User: amavis', 'User: alice@example.test']);
    expect(heads[0]).toContain('Message-class: ham');
  });

  it('assembles a message from a stream and a reply that arrives in tiny pieces', async () => {
    let body = '';
    const port = await peer((socket, _head, b) => {
      body = b.toString();
      void (async () => {
        for (const piece of LEARNED.match(/.{1,3}/gs) ?? []) {
          socket.write(piece);
          await new Promise((r) => setTimeout(r, 1));
        }
        socket.end();
      })();
    });
    const result = await client(port).learn(pieces('Subject: x\r\n', '\r\n', 'stream body'), 'spam');
    expect(body).toBe('Subject: x\r\n\r\nstream body');
    expect(result.outcome).toBe('learned');
  });

  it("gives spamd's own words when it refuses", async () => {
    const port = await peer((socket) => socket.end(BAD_HEADER));
    const result = await client(port).learn(MESSAGE, 'spam');
    expect(result).toEqual({
      outcome: 'failed',
      detail: `spamd at 127.0.0.1:${port} refused: SPAMD/1.0 76 Bad header line: Unable to set local and remove local in the same operation.`,
    });
  });

  it('takes a refusal sent while it still writes the body, even when spamd then resets', async () => {
    const big = Buffer.alloc(900_000, 'a');
    const server = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write('SPAMD/1.0 69 Service Unavailable: TELL commands are not enabled, set the --allow-tell switch.\r\n');
        socket.destroy(); // like spamd: answer and close; the rest of our body then meets a reset
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const result = await client((server.address() as AddressInfo).port).learn(big, 'spam');
    expect(result).toEqual({
      outcome: 'failed',
      detail: `spamd at 127.0.0.1:${(server.address() as AddressInfo).port} refused: SPAMD/1.0 69 Service Unavailable: TELL commands are not enabled, set the --allow-tell switch.`,
    });
  });

  it('fails, without throwing, when nothing listens', async () => {
    const port = await peer(() => {});
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const result = await client(port).learn(MESSAGE, 'spam');
    expect(result).toEqual({ outcome: 'failed', detail: `connection refused at 127.0.0.1:${port}: spamd is not running there` });
  });

  it('fails after the timeout when spamd never answers', async () => {
    const port = await peer(() => {});
    const started = Date.now();
    const result = await client(port, { timeoutMs: 300 }).learn(MESSAGE, 'spam');
    expect(result).toEqual({ outcome: 'failed', detail: `spamd at 127.0.0.1:${port} did not answer within 300 ms` });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails on a peer that is not spamd, or closes without a reply', async () => {
    const smtp = await peer((socket) => socket.end('220 mx.example.test ESMTP\r\n'));
    expect((await client(smtp).learn(MESSAGE, 'spam')).detail).toBe(`spamd at 127.0.0.1:${smtp} sent no SPAMD reply: "220 mx.example.test ESMTP  "`);
    const mute = await peer((socket) => socket.end());
    expect(await client(mute).learn(MESSAGE, 'spam')).toEqual({ outcome: 'failed', detail: `spamd at 127.0.0.1:${mute} closed the connection without a reply` });
  });

  it('refuses a message over the cap, from a buffer or a stream, without connecting', async () => {
    let connections = 0;
    const port = await peer((socket) => {
      connections++;
      socket.end(LEARNED);
    });
    const capped = client(port, { maxMessageBytes: 10 });
    expect(await capped.learn(Buffer.alloc(11, 'x'), 'spam')).toEqual({
      outcome: 'failed',
      detail: 'the message is 11 bytes, over the 10-byte limit for learning: refused, not cut',
    });
    expect((await capped.learn(pieces('12345', '67890', '1'), 'spam')).detail).toBe('the message is over the 10-byte limit for learning: refused, not cut');
    expect((await capped.learn(Buffer.alloc(10, 'x'), 'spam')).outcome).toBe('learned');
    expect(connections).toBe(1);
  });

  it('refuses an empty message, an unreadable stream, a bad class and a user name that would inject headers', async () => {
    const c = client(1);
    expect(await c.learn(Buffer.alloc(0), 'spam')).toEqual({ outcome: 'failed', detail: 'the message is empty' });
    const broken = (async function* () {
      yield Buffer.from('x');
      await Promise.reject(new Error('disk gone'));
    })();
    expect((await c.learn(broken, 'spam')).detail).toBe('could not read the message: disk gone');
    expect((await c.learn(MESSAGE, 'Spam' as 'spam')).detail).toBe('cannot learn a message as "Spam": only spam or ham');
    expect((await c.learn(MESSAGE, 'spam', { user: 'a\r\nRemove: local' })).detail).toBe('the spamd user name is empty, too long or has control characters');
    expect((await c.learn(MESSAGE, 'spam', { user: '' })).outcome).toBe('failed');
  });
});

describe('the TELL wire format', () => {
  it('encodes the head and parses replies', () => {
    expect(encodeTellRequest(42, 'ham', 'u@x.test').toString()).toBe(
      'TELL SPAMC/1.5\r\nMessage-class: ham\r\nSet: local\r\nContent-length: 42\r\nUser: u@x.test\r\n\r\n',
    );
    const reply = parseSpamdReply('SPAMD/1.1 0 EX_OK\r\nDidRemove: local\r\n\r\n\r\n');
    expect(reply?.code).toBe(0);
    expect(reply?.headers.get('didremove')).toBe('local');
    expect(parseSpamdReply('SPAMD/1.0 76 Bad header line: x\r\n')?.code).toBe(76);
    expect(parseSpamdReply('HTTP/1.1 400 Bad Request\r\n\r\n')).toBeUndefined();
  });
});
