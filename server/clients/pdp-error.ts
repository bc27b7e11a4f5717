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
