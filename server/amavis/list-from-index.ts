import type { MessageStatus, MessageType } from '../../shared/quarantine';
import { AppError } from '../errors';
import { STATUS_TO_RS, TYPE_TO_CONTENT } from './codes';
import { decodeIndexCursor, encodeIndexCursor, type IndexLister } from './list-index-lister';
import type { ListQuery, ListResult } from './list-types';
import { reverseDomain, type RecipientIdResolver } from './recipient-ids';
import type { ListScope } from './scope';

/** A page from the list index: the scope as maddr ids and reversed domains, then list-index-lister.ts. */
export async function listFromIndex(
  lister: IndexLister,
  resolver: RecipientIdResolver,
  scope: ListScope,
  query: ListQuery,
  options: { countCap: number; recipientDelimiter?: string | undefined },
): Promise<ListResult> {
  const sort = query.sort ?? 'date';
  const dir = query.dir ?? 'desc';
  const after = query.cursor ? decodeIndexCursor(query.cursor) : undefined;
  if (query.cursor && (!after || after.sort !== sort || after.dir !== dir)) {
    throw new AppError(400, 'validation_failed', 'the cursor is invalid or belongs to another sort order; start again from the first page');
  }
  const own = scope.kind === 'all' ? [] : scope.addresses?.length ? await resolver.forAddresses(scope.addresses, options.recipientDelimiter) : [];
  const domains = scope.kind === 'domains' ? scope.domains.map(reverseDomain) : [];
  // No address of this user has ever received mail (and no domain to admin): nothing to list.
  if (scope.kind !== 'all' && own.length === 0 && domains.length === 0)
    return { rows: [], nextCursor: null, ...(query.count ? { count: { value: 0, capped: false } } : {}) };
  const page = await lister.list({
    scope: scope.kind === 'all' ? undefined : { rids: own, domains: [...new Set(domains)] },
    sort,
    dir,
    contents: query.type?.map((t) => TYPE_TO_CONTENT[t as MessageType]),
    rsCodes: query.status?.flatMap((s) => STATUS_TO_RS[s as MessageStatus]),
    q: query.q,
    from: query.from,
    to: query.to,
    since: query.since,
    until: query.until,
    after,
    limit: query.limit,
    count: query.count,
    countCap: options.countCap,
  });
  return { rows: page.rows, nextCursor: page.next ? encodeIndexCursor(page.next) : null, ...(page.count ? { count: page.count } : {}) };
}
