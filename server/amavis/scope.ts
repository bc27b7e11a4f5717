/**
 * Whose quarantine a query covers: a user's addresses, an admin's domains (and own addresses), or
 * everyone. It comes from the session, never from the request, and is turned into maddr ids that every
 * query on amavis's tables carries in its WHERE clause.
 */
export type ListScope = { kind: 'addresses'; addresses: string[] } | { kind: 'domains'; domains: string[]; addresses?: string[] } | { kind: 'all' };
