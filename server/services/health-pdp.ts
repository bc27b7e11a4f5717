import type { HealthFinding } from '../../shared/health';
import { PdpError, type PdpClient } from '../clients/amavis-pdp';
import type { PdpReleaseRequest } from '../clients/pdp-release';

// A release request whose secret_id cannot match its mail_id. amavisd rejects it while parsing, before
// it looks at SQL or delivers anything (a non-empty secret_id is checked even where none is required),
// so the probe is harmless; and the reply proves both that the port speaks AM.PDP and that it checks
// secret_ids. It names a recipient like every release does, in the reserved .invalid domain.
const PROBE: PdpReleaseRequest = {
  mailId: 'aqHealthPing',
  secretId: 'AAAAAAAAAAAA',
  partitionTag: 0,
  recipients: ['health-probe@invalid'],
  requestedBy: 'health-probe@invalid',
};

const BANK_SNIPPET =
  "$inet_socket_port = [10024, 9998]; $interface_policy{'9998'} = 'AM.PDP-INET'; " +
  "$policy_bank{'AM.PDP-INET'} = { protocol => 'AM.PDP', inet_acl => [qw(127.0.0.1)] };";

/** Asks amavisd's AM.PDP bank a harmless question and tells apart every way it can go wrong. */
export async function checkPdp(pdp: PdpClient): Promise<HealthFinding[]> {
  try {
    // The same request builder and reply reading as a real release, so the probe tests what releases use.
    const [outcome] = await pdp.release(PROBE);
    if (!outcome?.reply) {
      return [
        {
          status: 'fail',
          message: 'the peer answered, but without a setreply line: not amavisd\u2019s AM.PDP',
          hint: 'check that AQ_PDP names amavisd\u2019s AM.PDP policy bank',
        },
      ];
    }
    const answer = outcome.summary;
    if (outcome.verdict === 'temporary' && /does not match mail_id/.test(outcome.reply.text)) {
      return [{ status: 'ok', message: `an AM.PDP policy bank answered, and it checks secret_ids (replied: ${answer})` }];
    }
    return [
      {
        status: 'warn',
        message: `an AM.PDP policy bank answered, but not as expected to a release with a wrong secret_id: ${answer}`,
        hint: 'releases may still work; check amavisd\u2019s log for this request',
      },
    ];
  } catch (err) {
    if (!(err instanceof PdpError)) throw err;
    return [{ status: 'fail', message: err.message, hint: HINTS[err.kind] }];
  }
}

const HINTS: Record<PdpError['kind'], string> = {
  smtp_listener: `AQ_PDP points at amavisd\u2019s SMTP listener, so releases would never happen. Point AQ_PDP at a port whose policy bank has protocol => 'AM.PDP', e.g. in amavisd.conf: ${BANK_SNIPPET}`,
  refused: `is amavisd running, and does $inet_socket_port include that port? In amavisd.conf: ${BANK_SNIPPET}`,
  reset:
    'amavisd dropped the connection without a word: it does that to clients outside the policy bank\u2019s inet_acl. Add this server\u2019s address to inet_acl of the AM.PDP bank',
  permission_denied: 'this process may not open amavisd\u2019s socket: run amavis-quarantine in the amavis group, or use the TCP AM.PDP bank (AQ_PDP=tcp://host:port)',
  not_found: 'no socket at that path: check $unix_socketname in amavisd.conf, or use the TCP AM.PDP bank',
  connect_timeout: 'no answer: check the address and firewalls',
  reply_timeout: "amavisd accepted the connection but did not answer: check its log, and that the port\u2019s policy bank has protocol => 'AM.PDP'",
  truncated: 'the reply broke off: check amavisd\u2019s log',
  network: 'check AQ_PDP',
};
