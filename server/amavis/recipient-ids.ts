import { QueryTypes, type Sequelize } from 'sequelize';
import type { ListScope } from './scope';

/** Finds the maddr ids (across partitions) that stand for a user's addresses or an admin's domains. */
export interface RecipientIdResolver {
  /** Ids of these exact addresses, plus `local<delimiter>anything@domain` when a delimiter is given. */
  forAddresses(addresses: readonly string[], delimiters?: string): Promise<string[]>;
  /** Ids of every address in these domains (exact domains, not subdomains). */
  forDomains(domains: readonly string[]): Promise<string[]>;
  /** Ids of a listing scope; undefined means everyone (a super user). */
  forScope(scope: ListScope, delimiters?: string): Promise<string[] | undefined>;
}

/** maddr.domain is stored with its labels reversed: example.test is `test.example`. */
export function reverseDomain(domain: string): string {
  return domain.toLowerCase().split('.').reverse().join('.');
}

const PARTITIONS_TTL_MS = 60_000;
// A user's maddr ids change only when mail first reaches a new address or partition; at worst such
// mail shows up in the list this much later.
const ADDRESS_TTL_MS = 30_000;
const DOMAIN_TTL_MS = 30_000;

/** Creates the resolver. Domain lookups are cached and refreshed incrementally (maddr rows never change). */
export function createRecipientIdResolver(sequelize: Sequelize): RecipientIdResolver {
  const resolver: RecipientIdResolver = {
    forAddresses,
    forDomains,
    async forScope(scope, delimiters) {
      if (scope.kind === 'all') return undefined;
      const own = await forAddresses(scope.kind === 'addresses' ? scope.addresses : (scope.addresses ?? []), delimiters);
      const domain = scope.kind === 'domains' ? await forDomains(scope.domains) : [];
      return [...new Set([...own, ...domain])];
    },
  };
  let partitions: { at: number; tags: number[] } | undefined;
  const domainCache = new Map<string, { at: number; maxId: bigint; ids: Set<string> }>();
  const addressCache = new Map<string, { at: number; ids: string[] }>();

  // maddr's only index is (partition_tag, email): an exact lookup needs the partition tags first. On
  // MariaDB the DISTINCT reads that index's first column (a loose index scan), and there are only a few
  // tags. PostgreSQL has no loose index scan: the recursive query asks the index for the next tag, once per tag.
  const tagsSql =
    sequelize.getDialect() === 'postgres'
      ? `WITH RECURSIVE t(p) AS (SELECT MIN(partition_tag) FROM maddr
           UNION ALL SELECT (SELECT MIN(partition_tag) FROM maddr WHERE partition_tag > t.p) FROM t WHERE t.p IS NOT NULL)
         SELECT p AS partition_tag FROM t WHERE p IS NOT NULL`
      : 'SELECT DISTINCT partition_tag FROM maddr';
  async function partitionTags(): Promise<number[]> {
    if (!partitions || Date.now() - partitions.at > PARTITIONS_TTL_MS) {
      const rows = await sequelize.query<{ partition_tag: number }>(tagsSql, { type: QueryTypes.SELECT });
      partitions = { at: Date.now(), tags: rows.map((r) => Number(r.partition_tag)) };
    }
    return partitions.tags;
  }

  return resolver;

  async function forAddresses(addresses: readonly string[], delimiters = ''): Promise<string[]> {
    const cacheKey = `${delimiters}\n${[...addresses].sort().join('\n')}`;
    const cached = addressCache.get(cacheKey);
    if (cached && Date.now() - cached.at < ADDRESS_TTL_MS) return cached.ids;
    const ids = await lookUpAddresses(addresses, delimiters);
    if (addressCache.size > 10_000) addressCache.clear();
    addressCache.set(cacheKey, { at: Date.now(), ids });
    return ids;
  }

  async function lookUpAddresses(addresses: readonly string[], delimiters: string): Promise<string[]> {
    // amavisd stores maddr.email lowercased (mail to Alice@Example.TEST is kept as alice@example.test),
    // and the column is VARBINARY, so the exact match is on lowercase bytes.
    const emails = [...new Set(addresses.map((a) => a.toLowerCase()))];
    if (emails.length === 0) return [];
    const tags = await partitionTags();
    if (tags.length === 0) return [];
    // An extension address (alice+news@x) is found by an index range on its prefix ('alice+' up to
    // the next byte value), then checked exactly here: no LIKE or REGEXP on maddr.email.
    const ranges: Array<{ lo: string; hi: string; local: string; domain: string; delimiter: string }> = [];
    for (const email of emails) {
      const at = email.lastIndexOf('@');
      for (const delimiter of delimiters) {
        const lo = `${email.slice(0, at)}${delimiter}`;
        ranges.push({
          lo,
          hi: `${lo.slice(0, -1)}${String.fromCharCode(delimiter.charCodeAt(0) + 1)}`,
          local: email.slice(0, at),
          domain: email.slice(at + 1),
          delimiter,
        });
      }
    }
    // Bytes, not text: the column is binary (VARBINARY; bytea on PostgreSQL; a BLOB in the SQLite demo,
    // which never finds a text value equal to a blob).
    const replacements: Record<string, unknown> = { tags, emails: emails.map((e) => Buffer.from(e)) };
    const rangeSql = ranges.map((_, i) => ` OR (email >= :lo${i} AND email < :hi${i})`).join('');
    ranges.forEach((r, i) => {
      replacements[`lo${i}`] = Buffer.from(r.lo);
      replacements[`hi${i}`] = Buffer.from(r.hi);
    });
    const rows = await sequelize.query<{ id: string; email: Buffer | string }>(
      `SELECT id, email FROM maddr WHERE partition_tag IN (:tags) AND (email IN (:emails)${rangeSql})`,
      { type: QueryTypes.SELECT, replacements },
    );
    return rows
      .filter((row) => {
        const email = (Buffer.isBuffer(row.email) ? row.email.toString('utf8') : row.email).toLowerCase();
        if (emails.includes(email)) return true;
        return ranges.some(
          (r) => email.startsWith(`${r.local}${r.delimiter}`) && email.endsWith(`@${r.domain}`) && !email.slice(r.local.length + 1, -r.domain.length - 1).includes('@'),
        );
      })
      .map((row) => String(row.id));
  }

  async function forDomains(domains: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const domain of [...new Set(domains.map((d) => d.toLowerCase()))]) {
      let entry = domainCache.get(domain);
      if (!entry || Date.now() - entry.at > DOMAIN_TTL_MS) {
        // maddr.domain has no index: the first lookup scans maddr once; later ones read only the rows
        // added since, bounded by the newest id read first (amavisd only inserts into maddr, so ids
        // grow and rows never change).
        const since = entry?.maxId ?? -1n;
        // snake_case alias: PostgreSQL folds unquoted names to lower case.
        const [top] = await sequelize.query<{ max_id: string | number | null }>('SELECT MAX(id) AS max_id FROM maddr', { type: QueryTypes.SELECT });
        const maxId = top?.max_id !== null && top?.max_id !== undefined ? BigInt(top.max_id) : since;
        const set = entry?.ids ?? new Set<string>();
        if (maxId > since) {
          const rows = await sequelize.query<{ id: string }>('SELECT id FROM maddr WHERE id > :since AND id <= :maxId AND domain = :domain', {
            type: QueryTypes.SELECT,
            replacements: { since: since.toString(), maxId: maxId.toString(), domain: reverseDomain(domain) },
          });
          for (const row of rows) set.add(String(row.id));
        }
        entry = { at: Date.now(), maxId, ids: set };
        domainCache.set(domain, entry);
      }
      ids.push(...entry.ids);
    }
    return [...new Set(ids)];
  }
}
