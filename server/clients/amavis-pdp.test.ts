import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPdpClient, PdpError } from './amavis-pdp';

// Scripted peers for the fault cases a real amavisd cannot produce on demand. The real exchanges are
// tested against amavisd itself in e2e/integration.
const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function peer(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const client = (port: number, replyTimeoutMs = 2_000) => createPdpClient({ endpoint: { kind: 'tcp', host: '127.0.0.1', port }, replyTimeoutMs, connectTimeoutMs: 2_000 });
const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PdpError) return err;
    throw err;
  }
  throw new Error('expected a PdpError');
};

describe('the AM.PDP client', () => {
  it('assembles a reply that arrives in tiny pieces, after reading the whole request', async () => {
    let request = '';
    const port = await peer((socket) =>
      socket.on('data', (d) => {
        request += d.toString();
        if (!request.endsWith('\r\n\r\n')) return;
        const reply = 'setreply=250 2.0.0 from%20MTA:%20250%20Ok\r\nsetreply=550 5.1.1 User%20unknown\r\nreturn_value=ok\r\nexit_code=0\r\n\r\n';
        void (async () => {
          for (const piece of reply.match(/.{1,3}/gs) ?? []) {
            socket.write(piece);
            await new Promise((r) => setTimeout(r, 1));
          }
        })();
      }),
    );
    const reply = await client(port).request([
      ['request', 'release'],
      ['recipient', '<a b@x.org>'],
    ]);
    expect(request).toBe('request=release\r\nrecipient=<a%20b@x.org>\r\n\r\n');
    expect(reply.setReplies).toEqual([
      { code: 250, enhanced: '2.0.0', text: 'from MTA: 250 Ok' },
      { code: 550, enhanced: '5.1.1', text: 'User unknown' },
    ]);
    expect(reply.exitCode).toBe(0);
  });

  it('releases: sends the built request and reads one outcome per recipient', async () => {
    let request = '';
    const port = await peer((socket) =>
      socket.on('data', (d) => {
        request += d.toString();
        if (request.endsWith('\r\n\r\n')) socket.write('setreply=250 2.0.0 Ok\r\nsetreply=550 5.1.1 User%20unknown\r\nreturn_value=ok\r\n\r\n');
      }),
    );
    const outcomes = await client(port).release({ mailId: 'abc', secretId: 'def', partitionTag: 0, recipients: ['a@x.org', 'b@x.org'], requestedBy: 'me@x.org' });
    expect(request).toBe(
      'request=release\r\nmail_id=abc\r\nsecret_id=def\r\npartition_tag=0\r\nquar_type=Q\r\nrecipient=<a@x.org>\r\nrecipient=<b@x.org>\r\nrequested_by=<me@x.org>\r\n\r\n',
    );
    expect(outcomes.map((o) => [o.recipient, o.verdict])).toEqual([
      ['a@x.org', 'delivered'],
      ['b@x.org', 'refused'],
    ]);
  });

  it('sends nothing for a release without recipients', async () => {
    let connected = false;
    const port = await peer(() => {
      connected = true;
    });
    await expect(client(port).release({ mailId: 'abc', secretId: 'def', partitionTag: 0, recipients: [], requestedBy: 'me@x.org' })).rejects.toThrow(/no recipient/);
    await new Promise((r) => setTimeout(r, 20));
    expect(connected).toBe(false);
  });

  it('recognises an SMTP greeting and says so', async () => {
    const port = await peer((socket) => socket.write('220 [127.0.0.1] ESMTP amavisd-new service ready\r\n'));
    const err = await failure(client(port).request([['request', 'release']]));
    expect(err.kind).toBe('smtp_listener');
    expect(err.message).toMatch(/not an AM\.PDP policy bank/);
  });

  it('times out waiting for a reply, and says the request was sent', async () => {
    const port = await peer(() => undefined);
    const err = await failure(client(port, 200).request([['request', 'release']]));
    expect(err.kind).toBe('reply_timeout');
    expect(err.sent).toBe(true);
  });

  it('tells a dropped connection from a refused one', async () => {
    const port = await peer((socket) => socket.destroy());
    expect((await failure(client(port).request([['request', 'release']]))).kind).toBe('reset');
    const closed = await peer(() => undefined);
    servers.pop()?.close();
    await new Promise((r) => setTimeout(r, 20));
    expect((await failure(client(closed).request([['request', 'release']]))).kind).toBe('refused');
  });

  it('reports a reply cut off in the middle', async () => {
    const port = await peer((socket) => socket.on('data', () => socket.end('setreply=250 2.0.0 Ok\r\n')));
    const err = await failure(client(port).request([['request', 'release']]));
    expect(err.kind).toBe('truncated');
  });

  it('reports a missing unix socket', async () => {
    const err = await failure(createPdpClient({ endpoint: { kind: 'unix', path: '/nonexistent/amavisd.sock' } }).request([['request', 'release']]));
    expect(err.kind).toBe('not_found');
  });
});
