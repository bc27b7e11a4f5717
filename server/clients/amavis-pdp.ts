import net from 'node:net';
import { formatPdpEndpoint, type PdpEndpoint } from '../config';
import { encodePdpRequest, PdpReplyReader, type PdpField, type PdpReply } from './pdp-protocol';

/** Why a request got no AM.PDP reply. Each kind has its own fix, so the doctor can tell them apart. */
export type PdpErrorKind =
  | 'refused' // nothing listens: amavisd is down or the port is wrong
  | 'not_found' // the unix socket does not exist
  | 'permission_denied' // the unix socket exists but we may not connect to it
  | 'reset' // the peer dropped us before answering: amavisd does this to clients outside inet_acl
  | 'smtp_listener' // an SMTP greeting: the port is amavisd's SMTP side, not an AM.PDP policy bank
  | 'connect_timeout'
  | 'reply_timeout' // the request was sent; whether amavisd acted on it is unknown
  | 'truncated' // the connection closed in the middle of a reply
  | 'network';

/** A failed AM.PDP exchange. `sent` tells whether amavisd may have acted on the request. */
export class PdpError extends Error {
  constructor(
    readonly kind: PdpErrorKind,
    message: string,
    readonly sent: boolean,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'PdpError';
  }
}

export interface PdpClientOptions {
  endpoint: PdpEndpoint;
  connectTimeoutMs?: number;
  replyTimeoutMs?: number;
  /** The source address for TCP, on hosts with several (amavisd's inet_acl checks it). */
  localAddress?: string;
}

/** A client of amavisd's AM.PDP policy bank: one connection per request. */
export interface PdpClient {
  readonly endpoint: PdpEndpoint;
  /** Sends one request and resolves with the parsed reply, or rejects with a PdpError. */
  request(fields: ReadonlyArray<PdpField>): Promise<PdpReply>;
}

/** Creates an AM.PDP client for a TCP or unix-socket endpoint. */
export function createPdpClient(options: PdpClientOptions): PdpClient {
  const { endpoint } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const replyTimeoutMs = options.replyTimeoutMs ?? 30_000;
  const where = formatPdpEndpoint(endpoint);

  return {
    endpoint,
    request: (fields) =>
      new Promise<PdpReply>((resolve, reject) => {
        const payload = encodePdpRequest(fields);
        const reader = new PdpReplyReader();
        let sent = false;
        let settled = false;
        const socket =
          endpoint.kind === 'unix' ? net.connect({ path: endpoint.path }) : net.connect({ host: endpoint.host, port: endpoint.port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });

        const finish = (err: PdpError | undefined, reply?: PdpReply) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket.destroy();
          if (err) reject(err);
          else if (reply) resolve(reply);
        };
        let timer = setTimeout(
          () => finish(new PdpError('connect_timeout', `no connection to AM.PDP at ${where} within ${connectTimeoutMs} ms`, false)),
          connectTimeoutMs,
        );

        socket.on('connect', () => {
          clearTimeout(timer);
          timer = setTimeout(
            () => finish(new PdpError('reply_timeout', `AM.PDP at ${where} sent no complete reply within ${replyTimeoutMs} ms`, true)),
            replyTimeoutMs,
          );
          socket.write(payload, () => {
            sent = true;
          });
        });
        socket.on('data', (chunk: Buffer) => {
          const result = reader.push(chunk);
          if (result.kind === 'reply') finish(undefined, result.reply);
          else if (result.kind === 'smtp') {
            finish(
              new PdpError(
                'smtp_listener',
                `an SMTP server answered at ${where}, not an AM.PDP policy bank: "${result.banner}"`,
                false,
                result.banner,
              ),
            );
          }
        });
        socket.on('error', (err: NodeJS.ErrnoException) => finish(classifySocketError(err, where, sent || socket.bytesWritten > 0)));
        socket.on('close', () => {
          if (reader.received === '') {
            finish(new PdpError('reset', `AM.PDP at ${where} closed the connection without a reply`, sent));
          } else {
            finish(new PdpError('truncated', `AM.PDP at ${where} closed the connection in the middle of a reply`, sent, reader.received));
          }
        });
      }),
  };
}

function classifySocketError(err: NodeJS.ErrnoException, where: string, sent: boolean): PdpError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new PdpError('refused', `connection refused at ${where}: nothing listens there`, false, err.code);
    case 'ENOENT':
      return new PdpError('not_found', `the socket ${where} does not exist`, false, err.code);
    case 'EACCES':
    case 'EPERM':
      return new PdpError('permission_denied', `permission denied on ${where}`, false, err.code);
    case 'ECONNRESET':
    case 'EPIPE':
      return new PdpError('reset', `AM.PDP at ${where} reset the connection without a reply`, sent, err.code);
    default:
      return new PdpError('network', `cannot talk to AM.PDP at ${where}: ${err.message}`, sent, err.code);
  }
}
