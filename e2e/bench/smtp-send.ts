import net from 'node:net';

/** One mail's SMTP session, timed: the whole session, the wait for amavisd's greeting, and its answer to the data. */
export interface SmtpTiming {
  /** Connect to the reply to the end of data (the QUIT after it is not counted). */
  totalMs: number;
  /** Connect to the 220 greeting: the time the connection waited in the listen queue for a free amavisd child. */
  greetingMs: number;
  /** The end of data to its reply: amavisd's checks (SpamAssassin) and its SQL storage. */
  dataMs: number;
}

/** One mail for smtpSend: the envelope and the message as lines (no dot-stuffing needed: the caller's lines never start with '.'). */
export interface SmtpMail {
  from: string;
  to: string;
  lines: string[];
}

/**
 * Sends one mail over plain SMTP on loopback and times its phases. A minimal client rather than swaks or
 * nodemailer: one process for every mail (no perl start per mail competing with amavisd for the CPUs), and
 * the greeting and end-of-data replies timed apart. A new connection per mail, as amavisd's children serve
 * one session each: a kept-alive connection would hold a child, and a further one would wait behind it.
 */
export async function smtpSend(port: number, mail: SmtpMail, timeoutMs = 120_000): Promise<SmtpTiming> {
  const started = performance.now();
  const socket = net.connect({ host: '127.0.0.1', port });
  const replies = replyReader(socket, timeoutMs);
  try {
    await replies.expect(220);
    const greeted = performance.now();
    await replies.command('EHLO bench.example.test', 250);
    await replies.command(`MAIL FROM:<${mail.from}>`, 250);
    await replies.command(`RCPT TO:<${mail.to}>`, 250);
    await replies.command('DATA', 354);
    const dataStart = performance.now();
    await replies.command(`${mail.lines.join('\r\n')}\r\n.`, 250);
    const done = performance.now();
    await replies.command('QUIT', 221).catch(() => undefined);
    return { totalMs: done - started, greetingMs: greeted - started, dataMs: done - dataStart };
  } finally {
    socket.destroy();
  }
}

/** Whether something greets with SMTP's 220 on the port: amavisd is up and has a free child. */
export async function smtpGreets(port: number, timeoutMs = 10_000): Promise<boolean> {
  const socket = net.connect({ host: '127.0.0.1', port });
  try {
    const replies = replyReader(socket, timeoutMs);
    await replies.expect(220);
    await replies.command('QUIT', 221).catch(() => undefined);
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/** Reads SMTP replies (multi-line ones end at the line whose code is followed by a space) in order. */
function replyReader(socket: net.Socket, timeoutMs: number) {
  let buffered = '';
  let lines: string[] = [];
  let failure: Error | undefined;
  const waiting: Array<{ resolve: (reply: string) => void; reject: (err: Error) => void }> = [];
  const ready: string[] = [];

  const fail = (err: Error) => {
    failure ??= err;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  socket.setEncoding('latin1');
  socket.setTimeout(timeoutMs, () => fail(new Error(`SMTP: no reply within ${timeoutMs} ms`)));
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('SMTP: connection closed')));
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\r\n')) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = lines.join('\n');
        lines = [];
        const next = waiting.shift();
        if (next) next.resolve(reply);
        else ready.push(reply);
      }
    }
  });

  const next = (): Promise<string> => {
    const reply = ready.shift();
    if (reply !== undefined) return Promise.resolve(reply);
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
  const expect = async (code: number) => {
    const reply = await next();
    if (!reply.startsWith(String(code))) throw new Error(`SMTP: expected ${code}, got ${reply.split('\n').at(-1) ?? ''}`);
    return reply;
  };
  return {
    expect,
    command(line: string, code: number) {
      socket.write(`${line}\r\n`);
      return expect(code);
    },
  };
}
