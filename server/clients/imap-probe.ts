import net from 'node:net';
import tls from 'node:tls';
import type { ImapTlsMode } from '../config';

export interface ImapProbeOptions {
  host: string;
  port: number;
  tls: ImapTlsMode;
  tlsVerify: boolean;
  ca?: string | Buffer | undefined;
  timeoutMs?: number;
}

export type ImapProbeErrorKind =
  | 'refused'
  | 'host_not_found'
  | 'timeout'
  | 'tls_failed' // the handshake failed, or the certificate was refused
  | 'not_imap' // something answered, but not with an IMAP greeting
  | 'starttls_refused'
  | 'closed'
  | 'network';

/** What the probe learned. It never logs in: sign-in checks credentials, the probe checks the way there. */
export interface ImapProbeResult {
  ok: boolean;
  error?: { kind: ImapProbeErrorKind; message: string; code?: string | undefined };
  greeting?: string;
  tls?: { protocol: string | null; cipher: string; authorized: boolean; authorizationError?: string; subject?: string; validTo?: string };
  capabilities?: string[];
}

class ProbeFailure extends Error {
  constructor(
    readonly kind: ImapProbeErrorKind,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Reads CRLF lines from a socket, one at a time, until detached (for the STARTTLS upgrade). */
class LineReader {
  private buffer = '';
  private waiting: ((line: string | Error) => void) | undefined;
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.buffer += chunk.toString('latin1');
    this.deliver();
  };
  private readonly onEnd = (err?: Error) => {
    this.failure ??= err instanceof Error ? err : new ProbeFailure('closed', 'the server closed the connection');
    this.deliver();
  };

  constructor(private readonly socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('error', this.onEnd);
    socket.on('close', () => this.onEnd());
  }

  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = (v) => (v instanceof Error ? reject(v) : resolve(v));
      this.deliver();
    });
  }

  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onEnd);
    this.socket.removeAllListeners('close');
  }

  private deliver(): void {
    if (!this.waiting) return;
    const end = this.buffer.indexOf('\r\n');
    const waiting = this.waiting;
    if (end !== -1) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.waiting = undefined;
      waiting(line);
    } else if (this.failure) {
      this.waiting = undefined;
      waiting(this.failure);
    }
  }
}

/** Connects the way sign-in will (implicit TLS, STARTTLS or plain), reads the greeting and capabilities. */
export async function probeImap(options: ImapProbeOptions): Promise<ImapProbeResult> {
  const result: ImapProbeResult = { ok: false };
  const sockets: net.Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeFailure('timeout', `no answer from ${options.host}:${options.port} within ${timeoutMs} ms`)), timeoutMs);
  });
  const tlsOptions = (): tls.ConnectionOptions => ({
    host: options.host,
    // SNI may not carry an IP address; the certificate is still checked against it.
    ...(net.isIP(options.host) ? {} : { servername: options.host }),
    rejectUnauthorized: options.tlsVerify,
    ...(options.ca ? { ca: options.ca } : {}),
  });

  const run = async () => {
    let socket: net.Socket;
    if (options.tls === 'tls') {
      socket = await connected(tls.connect({ port: options.port, ...tlsOptions() }), 'secureConnect');
      sockets.push(socket);
      result.tls = describeTls(socket as tls.TLSSocket);
    } else {
      socket = await connected(net.connect({ host: options.host, port: options.port }), 'connect');
      sockets.push(socket);
    }
    let reader = new LineReader(socket);
    const greeting = await reader.next();
    result.greeting = greeting;
    if (!/^\* (OK|PREAUTH)\b/i.test(greeting)) {
      throw new ProbeFailure('not_imap', `the server did not greet like IMAP: "${greeting.slice(0, 120)}"`);
    }

    if (options.tls === 'starttls') {
      socket.write('A1 STARTTLS\r\n');
      const answer = await untilTagged(reader, 'A1');
      if (!/^A1 OK\b/i.test(answer)) throw new ProbeFailure('starttls_refused', `the server refused STARTTLS: "${answer}"`);
      reader.detach();
      socket = await connected(tls.connect({ socket, ...tlsOptions() }), 'secureConnect');
      sockets.push(socket);
      result.tls = describeTls(socket as tls.TLSSocket);
      reader = new LineReader(socket);
    }

    socket.write('A2 CAPABILITY\r\n');
    let capabilities: string[] = [];
    for (;;) {
      const line = await reader.next();
      const caps = /^\* CAPABILITY (.*)$/i.exec(line);
      if (caps?.[1]) capabilities = caps[1].split(' ');
      if (/^A2 /i.test(line)) break;
    }
    result.capabilities = capabilities;
    socket.write('A3 LOGOUT\r\n');
    result.ok = true;
  };

  try {
    await Promise.race([run(), deadline]);
  } catch (err) {
    result.ok = false;
    result.error = describeError(err, options);
  } finally {
    clearTimeout(timer);
    for (const s of sockets) s.destroy();
  }
  return result;
}

async function untilTagged(reader: LineReader, tag: string): Promise<string> {
  for (;;) {
    const line = await reader.next();
    if (line.startsWith(`${tag} `)) return line;
  }
}

function connected<T extends net.Socket>(socket: T, event: 'connect' | 'secureConnect'): Promise<T> {
  return new Promise((resolve, reject) => {
    socket.once(event, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function describeTls(socket: tls.TLSSocket): NonNullable<ImapProbeResult['tls']> {
  const cert = socket.getPeerCertificate();
  return {
    protocol: socket.getProtocol(),
    cipher: socket.getCipher().name,
    authorized: socket.authorized,
    ...(socket.authorizationError ? { authorizationError: String(socket.authorizationError) } : {}),
    ...(cert?.subject?.CN ? { subject: String(cert.subject.CN) } : {}),
    ...(cert?.valid_to ? { validTo: cert.valid_to } : {}),
  };
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|ERR_SSL|ERR_TLS|EPROTO|HANDSHAKE/;

function describeError(err: unknown, options: ImapProbeOptions): NonNullable<ImapProbeResult['error']> {
  if (err instanceof ProbeFailure) return { kind: err.kind, message: err.message, code: err.code };
  const e = err as NodeJS.ErrnoException;
  const where = `${options.host}:${options.port}`;
  if (e.code === 'ECONNREFUSED') return { kind: 'refused', message: `connection refused at ${where}: nothing listens there`, code: e.code };
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return { kind: 'host_not_found', message: `the host name ${options.host} does not resolve`, code: e.code };
  if (e.code === 'ETIMEDOUT') return { kind: 'timeout', message: `connecting to ${where} timed out`, code: e.code };
  if (e.code && TLS_CODES.test(e.code)) return { kind: 'tls_failed', message: `TLS with ${where} failed: ${e.message}`, code: e.code };
  if (e.code === 'ECONNRESET') return { kind: 'closed', message: `${where} reset the connection`, code: e.code };
  return { kind: 'network', message: `cannot talk to ${where}: ${e.message ?? String(err)}`, code: e.code };
}
