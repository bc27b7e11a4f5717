import net from 'node:net';

/** The class a message is learned as: "Spam" is spam, "Not spam" is ham. */
export type LearnClass = 'spam' | 'ham';

/**
 * What one TELL did. `learned`: Bayes took the message as that class (a message learned as the other
 * class before is moved over). `already`: spamd answered EX_OK but learned nothing, which it does for a
 * message already learned as that class. `failed`: nothing was learned, `detail` says why.
 */
export interface LearnResult {
  outcome: 'learned' | 'already' | 'failed';
  detail: string;
}

export interface SpamdClientOptions {
  host: string;
  port: number;
  /** The whole exchange (connect, send, reply) must finish within this. */
  timeoutMs: number;
  /** Sent as `User:`; spamd started with -x (no per-user config) learns into its one store anyway. */
  user?: string;
  /** The largest message sent; a bigger one is refused, never cut (Bayes would learn a different message). */
  maxMessageBytes?: number;
}

/** A spamd client for TELL (what `spamc -L spam|ham` does): one connection per message. */
export interface SpamdClient {
  /** host:port, for messages. */
  readonly where: string;
  /** Feeds a raw message to spamd's Bayes as spam or ham; resolves with the outcome, never rejects for spamd or network trouble. */
  learn(raw: Buffer | AsyncIterable<Buffer>, as: LearnClass, opts?: { user?: string }): Promise<LearnResult>;
}

/** 1 MB: spamc's own limit for checks is 500 KB, amavisd hands SpamAssassin at most its $sa_mail_body_size_limit. */
export const DEFAULT_MAX_LEARN_BYTES = 1024 * 1024;

// spamd's reply is a status line and a few headers; anything longer is not spamd.
const MAX_REPLY_BYTES = 64 * 1024;

/** Creates a TELL client for spamd on TCP (spamd must run with --allow-tell). */
export function createSpamdClient(options: SpamdClientOptions): SpamdClient {
  const where = `${options.host}:${options.port}`;
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_LEARN_BYTES;
  return {
    where,
    async learn(raw, as, opts) {
      // spamd's Message-class check is broken (any value but "spam" is learned as ham): check it here.
      if (as !== 'spam' && as !== 'ham') return failed(`cannot learn a message as ${JSON.stringify(as)}: only spam or ham`);
      const user = opts?.user ?? options.user;
      if (user !== undefined && !validUser(user)) return failed('the spamd user name is empty, too long or has control characters');
      const body = await readMessage(raw, maxBytes);
      if (typeof body === 'string') return failed(body);
      return tell(options, where, as, encodeTellRequest(body.length, as, user), body);
    },
  };
}

/** The request head `spamc -L <class>` sends, up to and including the blank line. */
export function encodeTellRequest(contentLength: number, as: LearnClass, user?: string): Buffer {
  const lines = ['TELL SPAMC/1.5', `Message-class: ${as}`, 'Set: local', `Content-length: ${contentLength}`];
  if (user !== undefined) lines.push(`User: ${user}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
}

export interface SpamdReply {
  /** The status line, e.g. "SPAMD/1.1 0 EX_OK" or "SPAMD/1.0 76 Bad header line: ...". */
  status: string;
  code: number;
  headers: Map<string, string>;
}

/** Parses spamd's reply: a status line, then headers up to a blank line. Undefined when it is not one. */
export function parseSpamdReply(text: string): SpamdReply | undefined {
  const lines = text.split(/\r?\n/);
  const status = lines[0] ?? '';
  const m = /^SPAMD\/\d+\.\d+ (\d+)(?: |$)/.exec(status);
  if (!m) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status, code: Number(m[1]), headers };
}

/** What a parsed reply means for a Set: local of class `as`. */
export function interpretTellReply(reply: SpamdReply, as: LearnClass, where: string): LearnResult {
  if (reply.code !== 0) return failed(`spamd at ${where} refused: ${reply.status}`);
  const didSet = (reply.headers.get('didset') ?? '').split(',').map((s) => s.trim().toLowerCase());
  if (didSet.includes('local')) return { outcome: 'learned', detail: `spamd at ${where} learned the message as ${as}` };
  // spamd says the same when Bayes is off (use_bayes 0, bayes_learn_during_report 0) or its store cannot be written.
  return { outcome: 'already', detail: `spamd at ${where} learned nothing: the message was already learned as ${as}` };
}

function failed(detail: string): LearnResult {
  return { outcome: 'failed', detail };
}

function validUser(user: string): boolean {
  // A CR or LF would end the header and let the name inject others; spamd itself refuses control characters.
  return user.length > 0 && user.length <= 256 && ![...user].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

// A stream is read only up to one byte past the cap: a refusal must not first pull a huge message into memory.
async function readMessage(raw: Buffer | AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer | string> {
  const tooBig = (size: string) => `the message is ${size}over the ${maxBytes}-byte limit for learning: refused, not cut`;
  let body: Buffer;
  if (Buffer.isBuffer(raw)) {
    if (raw.length > maxBytes) return tooBig(`${raw.length} bytes, `);
    body = raw;
  } else {
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of raw) {
        total += chunk.length;
        if (total > maxBytes) return tooBig('');
        chunks.push(chunk);
      }
    } catch (err) {
      return `could not read the message: ${(err as Error).message}`;
    }
    body = Buffer.concat(chunks, total);
  }
  return body.length === 0 ? 'the message is empty' : body;
}

function tell(options: SpamdClientOptions, where: string, as: LearnClass, head: Buffer, body: Buffer): Promise<LearnResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let socketError: string | undefined;
    let settled = false;
    const socket = net.connect({ host: options.host, port: options.port });

    const finish = (result: LearnResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(failed(`spamd at ${where} did not answer within ${options.timeoutMs} ms`)), options.timeoutMs);

    socket.on('connect', () => {
      socket.write(head);
      // end() half-closes: spamd reads the body line by line, and a last line without a newline ends only at EOF.
      socket.end(body);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_REPLY_BYTES) return finish(failed(`spamd at ${where} sent a reply of over ${MAX_REPLY_BYTES} bytes`));
      chunks.push(chunk);
      // spamd closes after its reply anyway; a complete one (status, headers, blank line) need not wait for that.
      const text = Buffer.concat(chunks).toString('latin1');
      const reply = text.includes('\r\n\r\n') ? parseSpamdReply(text) : undefined;
      if (reply) finish(interpretTellReply(reply, as, where));
    });
    // 'close' follows every 'error'. spamd answers a bad request at once and closes, possibly while we still
    // write the body (EPIPE, ECONNRESET): a reply that came counts more than the socket error after it.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      socketError = socketErrorDetail(err, where);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const reply = parseSpamdReply(text);
      if (reply) return finish(interpretTellReply(reply, as, where));
      if (received > 0) return finish(failed(`spamd at ${where} sent no SPAMD reply: ${JSON.stringify(printable(text))}`));
      finish(failed(socketError ?? `spamd at ${where} closed the connection without a reply`));
    });
  });
}

function socketErrorDetail(err: NodeJS.ErrnoException, where: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused at ${where}: spamd is not running there`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `spamd at ${where} dropped the connection (${err.code}); is this address in its --allowed-ips?`;
    default:
      return `cannot talk to spamd at ${where}: ${err.message}`;
  }
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, ' ').slice(0, 200);
}
