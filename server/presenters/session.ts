import type { SessionResponse, SessionUser } from '../../shared/session';
import { capabilitiesOf } from '../services/policy';

/** The answer of sign-in and GET /api/session. */
export function presentSession(user: SessionUser, csrfToken: string, features: { learn?: boolean; digest?: boolean } = {}): SessionResponse {
  return {
    user: { email: user.email, role: user.role, addresses: [...user.addresses], domains: [...user.domains] },
    capabilities: capabilitiesOf(user, features),
    csrfToken,
  };
}
