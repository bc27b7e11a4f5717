import { QueryTypes, type Sequelize } from 'sequelize';
import { LIST_TABLE } from './list-index-ddl';
import { isNoSuchTable } from './db-errors';
import { STATS_STATE_TABLE, STATS_TABLE } from './stats-ddl';

/** Whose rows: recipients' maddr ids, domains as maddr.domain stores them (reversed), or the site. */
export type StatsKey = { kind: 'r'; rids: readonly string[] } | { kind: 'd'; rdomain: string } | { kind: 's' };

/** One day's and one type's counters as the rollup holds them. */
export interface StatsRow {
  day: number;
  content: string;
  quarantined: number;
  released: number;
  requested: number;
  deleted: number;
}

/** An address and how many copies it has in the sample. */
export interface TopRow {
  address: string;
  count: number;
}

/** The reads of the statistics: the rollup's rows for a scope and days, and the top lists from a bounded sample of the list index. */
export interface StatsStore {
  /** The rollup's rows of these days (UTC day numbers, inclusive); undefined when `npm run migrate` has not created it. */
  days(key: StatsKey, fromDay: number, toDay: number): Promise<StatsRow[] | undefined>;
  /** The time (unix seconds) up to which the rollup is complete; 0 before its first complete turn. */
  upTo(): Promise<number>;
  /** Top senders and recipients of the newest `limit` listed copies in [from, to) (unix seconds) of a domain or the site. */
  tops(key: StatsKey & { kind: 'd' | 's' }, from: number, to: number, limit: number): Promise<{ copies: number; senders: TopRow[]; recipients: TopRow[] }>;
}

const TOP_N = 10;

const text = (value: Buffer | string | null) => (value === null ? '' : Buffer.isBuffer(value) ? value.toString('utf8') : value);

/** Creates the store on the amavis database. */
export function createStatsStore(sequelize: Sequelize): StatsStore {
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>) => sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });

  return {
    async days(key, fromDay, toDay) {
      // Every scope is one primary-key range (kind, scope, day_num): a user's few ids, one domain, or the site.
      const scope = key.kind === 'r' ? 'scope IN (:scopes)' : 'scope = :scope';
      if (key.kind === 'r' && key.rids.length === 0) return [];
      try {
        const rows = await select<{ day_num: number; content: string; q: string | number; r: string | number; p: string | number; d: string | number }>(
          `SELECT day_num, content, SUM(quarantined) AS q, SUM(released) AS r, SUM(requested) AS p, SUM(deleted) AS d FROM ${STATS_TABLE}
  WHERE kind = :kind AND ${scope} AND day_num >= :fromDay AND day_num <= :toDay GROUP BY day_num, content`,
          {
            kind: key.kind,
            scopes: key.kind === 'r' ? key.rids : [],
            scope: key.kind === 'd' ? key.rdomain : '',
            fromDay,
            toDay,
          },
        );
        return rows.map((row) => ({
          day: Number(row.day_num),
          content: row.content,
          quarantined: Number(row.q),
          released: Number(row.r),
          requested: Number(row.p),
          deleted: Number(row.d),
        }));
      } catch (err) {
        if (isNoSuchTable(err)) return undefined;
        throw err;
      }
    },

    async upTo() {
      const [row] = await select<{ up_to: string | number }>(`SELECT up_to FROM ${STATS_STATE_TABLE} WHERE id = 1`, {});
      return Number(row?.up_to ?? 0);
    },

    async tops(key, from, to, limit) {
      // The newest `limit` listed copies of the period, by the list index's (rdomain, time_num) or
      // (time_num) index read backwards: the cost is bounded whatever the scope's size. Only copies still
      // in the quarantine are listed (not deleted ones).
      const where = `${key.kind === 'd' ? 'rdomain = :rdomain AND ' : ''}time_num >= :from AND time_num < :to`;
      const sample = (columns: string) => `(SELECT ${columns} FROM ${LIST_TABLE} WHERE ${where} ORDER BY time_num DESC LIMIT ${Math.floor(limit)}) x`;
      const replacements = { rdomain: key.kind === 'd' ? key.rdomain : '', from, to };
      const [count] = await select<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${sample('id')}`, replacements);
      const senders = await select<{ address: Buffer | string | null; n: string | number }>(
        `SELECT s.email AS address, COUNT(*) AS n FROM ${sample('partition_tag, mail_id')}
  JOIN msgs m ON m.partition_tag = x.partition_tag AND m.mail_id = x.mail_id
  JOIN maddr s ON s.id = m.sid
  GROUP BY s.email ORDER BY n DESC, s.email LIMIT ${TOP_N}`,
        replacements,
      );
      const recipients = await select<{ address: Buffer | string | null; n: string | number }>(
        `SELECT r.email AS address, COUNT(*) AS n FROM ${sample('rid')}
  JOIN maddr r ON r.id = x.rid
  GROUP BY r.email ORDER BY n DESC, r.email LIMIT ${TOP_N}`,
        replacements,
      );
      const top = (rows: Array<{ address: Buffer | string | null; n: string | number }>) => rows.map((row) => ({ address: text(row.address), count: Number(row.n) }));
      return { copies: Number(count?.n ?? 0), senders: top(senders), recipients: top(recipients) };
    },
  };
}
