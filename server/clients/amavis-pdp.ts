import net from 'node:net';
import { formatPdpEndpoint, type PdpEndpoint } from '../config';
import { PdpError } from './pdp-error';
import { encodePdpRequest, PdpReplyReader, type PdpField, type PdpReply } from './pdp-protocol';
import { buildReleaseRequest, interpretReleaseReply, type PdpReleaseRequest, type RecipientReleaseOutcome } from './pdp-release';

export { PdpError, type PdpErrorKind } from './pdp-error';

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
  /**
   * Releases a quarantined mail to the named recipients and reads amavisd's answer for each, in order.
   * Rejects with a PdpError when there is no reply (classifyPdpError tells whether it may have gone out).
   */
  release(request: PdpReleaseRequest): Promise<RecipientReleaseOutcome[]>;
}

/** Creates an AM.PDP client for a TCP or unix-socket endpoint. */
export function createPdpClient(options: PdpClientOptions): PdpClient {
  const { endpoint } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const replyTimeoutMs = options.replyTimeoutMs ?? 30_000;
  const where = formatPdpEndpoint(endpoint);

  const request = (fields: ReadonlyArray<PdpField>) =>
    new Promise<PdpReply>((resolve, reject) => {
      const payload = encodePdpRequest(fields);
      const reader = new PdpReplyReader();
      let sent = false;
      let settled = false;
      const socket =
        endpoint.kind === 'unix'
          ? net.connect({ path: endpoint.path })
          : net.connect({ host: endpoint.host, port: endpoint.port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });

      const finish = (err: PdpError | undefined, reply?: PdpReply) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (err) reject(err);
        else if (reply) resolve(reply);
      };
      let timer = setTimeout(() => finish(new PdpError('connect_timeout', `no connection to AM.PDP at ${where} within ${connectTimeoutMs} ms`, false)), connectTimeoutMs);

      socket.on('connect', () => {
        clearTimeout(timer);
        timer = setTimeout(() => finish(new PdpError('reply_timeout', `AM.PDP at ${where} sent no complete reply within ${replyTimeoutMs} ms`, true)), replyTimeoutMs);
        socket.write(payload, () => {
          sent = true;
        });
      });
      socket.on('data', (chunk: Buffer) => {
        const result = reader.push(chunk);
        if (result.kind === 'reply') finish(undefined, result.reply);
        else if (result.kind === 'smtp') {
          finish(new PdpError('smtp_listener', `an SMTP server answered at ${where}, not an AM.PDP policy bank: "${result.banner}"`, false, result.banner));
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
    });

  return {
    endpoint,
    request,
    release: async (release) => interpretReleaseReply(await request(buildReleaseRequest(release)), release.recipients),
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
