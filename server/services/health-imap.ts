import net from 'node:net';
import type { HealthFinding } from '../../shared/health';
import type { ImapProbeOptions, ImapProbeResult } from '../clients/imap-probe';

/** Turns what the IMAP probe saw into findings, each failure with the fix an operator needs. */
export function imapFindings(options: ImapProbeOptions, probe: ImapProbeResult): HealthFinding[] {
  const findings: HealthFinding[] = [];
  if (probe.error) {
    findings.push({ status: 'fail', message: probe.error.message, hint: hintFor(options, probe) });
    return findings;
  }
  findings.push({ status: 'ok', message: `greeting read: ${probe.greeting ?? ''}`.slice(0, 200) });

  if (options.tls === 'none') {
    const loopback = options.host === 'localhost' || (net.isIP(options.host) !== 0 && /^(127\.|::1$)/.test(options.host));
    findings.push({
      status: loopback ? 'ok' : 'warn',
      message: 'no TLS (AQ_IMAP_TLS=none): users\u2019 passwords cross the network in clear text',
      ...(loopback ? {} : { hint: 'use AQ_IMAP_TLS=starttls or tls unless the IMAP server is on this host' }),
    });
  } else if (probe.tls) {
    const how = options.tls === 'tls' ? 'implicit TLS' : 'STARTTLS';
    if (probe.tls.authorized) {
      findings.push({
        status: 'ok',
        message: `${how}: ${probe.tls.protocol ?? 'TLS'}, certificate verified (CN=${probe.tls.subject ?? '?'}, valid to ${probe.tls.validTo ?? '?'})`,
      });
    } else {
      findings.push({
        status: 'warn',
        message: `${how}: ${probe.tls.protocol ?? 'TLS'}, certificate NOT verified (AQ_IMAP_TLS_VERIFY=false): ${probe.tls.authorizationError ?? ''}`,
        hint: 'give the server a certificate from a CA this host trusts, or name the CA in AQ_IMAP_CA_FILE, then set AQ_IMAP_TLS_VERIFY=true',
      });
    }
  }

  const caps = (probe.capabilities ?? []).map((c) => c.toUpperCase());
  if (caps.includes('LOGINDISABLED')) {
    findings.push({
      status: 'fail',
      message: 'the server advertises LOGINDISABLED: users could not sign in over this connection',
      hint: 'use TLS (AQ_IMAP_TLS=starttls or tls), or allow plaintext auth on the IMAP server',
    });
  } else {
    findings.push({ status: 'ok', message: `capabilities: ${(probe.capabilities ?? []).join(' ').slice(0, 200)}` });
  }
  return findings;
}

function hintFor(options: ImapProbeOptions, probe: ImapProbeResult): string {
  const where = `${options.host}:${options.port}`;
  switch (probe.error?.kind) {
    case 'refused':
      return `is the IMAP server running, and does it listen on ${where}? Check AQ_IMAP_HOST and AQ_IMAP_PORT`;
    case 'host_not_found':
      return 'check AQ_IMAP_HOST';
    case 'timeout':
      return options.tls === 'starttls' && options.port === 993
        ? 'port 993 usually speaks implicit TLS: set AQ_IMAP_TLS=tls'
        : 'no answer: check the address, the port and firewalls';
    case 'tls_failed':
      if (/WRONG_VERSION|wrong version/i.test(probe.error.message)) {
        return 'that port does not speak implicit TLS: use AQ_IMAP_TLS=starttls (usually port 143)';
      }
      return 'the certificate was refused: use the host name the certificate was issued for, name its CA in AQ_IMAP_CA_FILE, or (for testing only) set AQ_IMAP_TLS_VERIFY=false';
    case 'not_imap':
      return 'something else listens on that port: check AQ_IMAP_PORT (143 for STARTTLS, 993 for implicit TLS)';
    case 'starttls_refused':
      return 'the server does not offer STARTTLS: enable TLS on it, or use AQ_IMAP_TLS=tls on its implicit-TLS port';
    default:
      return 'check AQ_IMAP_HOST, AQ_IMAP_PORT and AQ_IMAP_TLS';
  }
}
