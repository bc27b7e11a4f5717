import { ImapFlow } from 'imapflow';
import net from 'node:net';
import type { ImapProbeOptions } from './imap-probe';

/** The IMAP server could not be asked: it is down, slow, or its TLS failed. Never a wrong password. */
export class ImapUnavailableError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ImapUnavailableError';
  }
}

/** Checks a user's mail password by IMAP LOGIN, the way the webmail itself does. */
export interface ImapAuthenticator {
  /**
   * Resolves true for valid credentials, false for invalid ones; rejects with ImapUnavailableError
   * otherwise. `clientIp` is the user's address, passed on in the IMAP ID command.
   */
  verify(username: string, password: string, clientIp?: string): Promise<boolean>;
}

/** Creates the authenticator: imapflow in verify-only mode (log in, log out), with short timeouts. */
export function createImapAuthenticator(options: ImapProbeOptions): ImapAuthenticator {
  const timeoutMs = Math.min(options.timeoutMs ?? 10_000, 10_000);
  return {
    async verify(username, password, clientIp) {
      const client = new ImapFlow({
        host: options.host,
        port: options.port,
        secure: options.tls === 'tls',
        doSTARTTLS: options.tls === 'starttls' ? true : options.tls === 'none' ? false : undefined,
        ...(net.isIP(options.host) ? {} : { servername: options.host }),
        tls: { rejectUnauthorized: options.tlsVerify, ...(options.ca ? { ca: options.ca } : {}), minVersion: 'TLSv1.2' },
        auth: { user: username, pass: password },
        verifyOnly: true,
        // Every user signs in through this one server. Passing the user's own address in the ID
        // command (sent before LOGIN) lets an IMAP server that trusts us (Dovecot's
        // login_trusted_networks) log it and throttle the attacker, not every user behind us.
        clientInfo: { name: 'amavis-quarantine', ...(clientIp ? { 'x-originating-ip': clientIp } : {}) },
        // imapflow would log every command; its logger must stay off so no credential can reach a log.
        logger: false,
        disableAutoIdle: true,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      // A late socket error after a settled connect() must not crash the process.
      client.on('error', () => undefined);
      try {
        await client.connect();
        return true;
      } catch (err) {
        const e = err as { authenticationFailed?: boolean; code?: string; message?: string; serverResponseCode?: string };
        // UNAVAILABLE is the server saying its auth backend is down (RFC 5530): not the user's fault.
        if (e.authenticationFailed && e.serverResponseCode !== 'UNAVAILABLE') return false;
        throw new ImapUnavailableError(`the IMAP server could not check the password: ${e.message ?? String(err)}`, e.code);
      } finally {
        client.close();
      }
    },
  };
}
