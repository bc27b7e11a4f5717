import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * The SQL dialects of amavis's storage database. MariaDB and MySQL take the same statements but for a
 * few optimizer settings; PostgreSQL's schema differs (README.sql-pg: bytea for mail_id, secret_id,
 * maddr.email and quarantine.mail_text, time_iso a timestamp, serial ids); SQLite is the demo's.
 */
export type Dialect = 'mariadb' | 'mysql' | 'postgres' | 'sqlite';

/** MariaDB and MySQL: the same statements (FORCE INDEX, STRAIGHT_JOIN, DIV, FULLTEXT) where PostgreSQL differs. */
export const isMysql = (d: Dialect): boolean => d === 'mariadb' || d === 'mysql';

const known = new WeakMap<Sequelize, Promise<Dialect>>();

/** The dialect of a connection, asked of the server once (only MariaDB knows SET STATEMENT). */
export function amavisDialect(sequelize: Sequelize): Promise<Dialect> {
  let dialect = known.get(sequelize);
  if (!dialect) {
    const name = sequelize.getDialect();
    dialect =
      name === 'sqlite' || name === 'postgres'
        ? Promise.resolve<Dialect>(name)
        : sequelize
            .query<{ v: string }>('SELECT VERSION() AS v', { type: QueryTypes.SELECT })
            .then(([row]) => (/mariadb/i.test(row?.v ?? '') ? 'mariadb' : 'mysql') as Dialect)
            .catch(() => {
              known.delete(sequelize);
              return 'mysql' as const;
            });
    known.set(sequelize, dialect);
  }
  return dialect;
}

/** ' FOR UPDATE' where the database has row locks; SQLite (the demo) serialises writers instead. */
export function forUpdateClause(sequelize: Sequelize): string {
  return sequelize.getDialect() === 'sqlite' ? '' : ' FOR UPDATE';
}
