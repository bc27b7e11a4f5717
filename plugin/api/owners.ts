import type { SessionUser } from '../../shared/session';

/** Who a sender-list entry or a policy can be for: the user, each domain they administer, and everyone for super users. */
export const ownersOf = (user: SessionUser): string[] => ['me', ...user.domains.map((d) => `@${d.replace(/^@/, '')}`), ...(user.role === 'super' ? ['everyone'] : [])];

/** Whether the user may make an entry for everyone at `domain` (the server checks it again). */
export const administers = (user: SessionUser, domain: string): boolean => {
  const owners = ownersOf(user);
  return owners.includes('everyone') || owners.includes(`@${domain.toLowerCase()}`);
};
