import { QueryTypes, type Sequelize } from 'sequelize';
import type { HealthFinding } from '../../shared/health';
import { POLICY_FIELDS } from '../../shared/policy';

/** The lookup tables and the columns our SQL on them names (lookup-store.ts, policy-store.ts). */
export const LOOKUP_COLUMNS: Record<string, readonly string[]> = {
  users: ['id', 'priority', 'policy_id', 'email', 'fullname'],
  mailaddr: ['id', 'priority', 'email'],
  wblist: ['rid', 'sid', 'wb'],
  policy: ['id', 'policy_name', ...POLICY_FIELDS],
};

const LOOKUP_TABLES = Object.keys(LOOKUP_COLUMNS);
const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
type Privilege = (typeof PRIVILEGES)[number];

/**
 * Checks amavis's lookup database (AQ_LOOKUP_DB_URL, amavisd's @lookup_sql_dsn): reachable, the tables
 * users, mailaddr, wblist and policy with the columns we use, and SELECT/INSERT/UPDATE/DELETE on them.
 */
export async function checkLookupDatabase(sequelize: Sequelize): Promise<HealthFinding[]> {
  const postgres = sequelize.getDialect() === 'postgres';
  const doc = postgres ? 'README.sql-pg' : 'README.sql-mysql';
  try {
    await sequelize.authenticate();
  } catch (err) {
    return [
      {
        status: 'fail',
        message: `cannot connect: ${(err as Error).message}`,
        hint: 'check AQ_LOOKUP_DB_URL: the database amavisd\u2019s @lookup_sql_dsn names (unset, it is AQ_DB_URL)',
      },
    ];
  }

  const qi = sequelize.getQueryInterface();
  const present = new Set((await qi.showAllTables()).map((t) => String(typeof t === 'string' ? t : (t as { tableName: string }).tableName)));
  const findings: HealthFinding[] = [];
  const missingTables = LOOKUP_TABLES.filter((t) => !present.has(t));
  if (missingTables.length > 0) {
    findings.push({
      status: 'fail',
      message: `table(s) ${missingTables.join(', ')} missing`,
      hint: `create amavisd-new\u2019s lookup tables (users, mailaddr, wblist, policy: the first part of ${doc} in the amavisd-new docs) in this database, and point @lookup_sql_dsn in amavisd.conf at it`,
    });
  }
  for (const table of LOOKUP_TABLES.filter((t) => present.has(t))) {
    const described = await qi.describeTable(table);
    const missing = (LOOKUP_COLUMNS[table] ?? []).filter((c) => !(c in described));
    if (missing.length > 0) {
      findings.push({
        status: 'fail',
        message: `table ${table} lacks column(s) ${missing.join(', ')}`,
        hint: `compare the table with ${doc} of your amavisd-new version (a hosting panel\u2019s own lookup tables are not amavis\u2019s)`,
      });
    }
  }
  if (findings.length > 0) return findings;
  findings.push({ status: 'ok', message: 'tables users, mailaddr, wblist and policy have the columns sender lists and spam policies use' });

  const denied = postgres ? await deniedOnPostgres(sequelize) : await deniedOnMariaDb(sequelize);
  if (denied.length === 0) {
    findings.push({ status: 'ok', message: 'may select, insert, update and delete on users, mailaddr, wblist and policy' });
  } else {
    findings.push({
      status: 'fail',
      message: `may not ${denied.join('; ')}: sender lists and spam policies cannot be ${denied.some((d) => d.startsWith('SELECT')) ? 'read' : 'changed'}`,
      hint: await grantHint(sequelize, postgres),
    });
  }
  return findings;
}

/** "SELECT on users, wblist" for every privilege the role lacks; PostgreSQL says so itself, the sequences included. */
async function deniedOnPostgres(sequelize: Sequelize): Promise<string[]> {
  const checks = LOOKUP_TABLES.flatMap((table) => PRIVILEGES.map((privilege) => `has_table_privilege('${table}', '${privilege}') AS "${privilege} ${table}"`));
  // INSERT into a serial column also takes the next value of its sequence (wblist has none).
  const sequences = ['users', 'mailaddr', 'policy'].map((t) => `has_sequence_privilege(pg_get_serial_sequence('${t}', 'id'), 'USAGE') AS "USAGE ${t}_id_seq"`);
  const [row] = await sequelize.query<Record<string, boolean>>(`SELECT ${[...checks, ...sequences].join(', ')}`, { type: QueryTypes.SELECT });
  // NULL: an id that is no serial (no sequence to need).
  return summarize(
    Object.entries(row ?? {})
      .filter(([, allowed]) => allowed === false)
      .map(([key]) => key),
  );
}

/**
 * MariaDB/MySQL: a statement that touches no row still goes through the privilege check, and that sees every
 * way a grant can be given (global, database wildcard such as `amavis%`, table, role), which SHOW GRANTS
 * or information_schema would each have to resolve by hand.
 */
async function deniedOnMariaDb(sequelize: Sequelize): Promise<string[]> {
  const probes: Record<Privilege, (table: string) => string> = {
    SELECT: (t) => `SELECT 1 FROM ${t} WHERE 1 = 0`,
    INSERT: (t) => `INSERT INTO ${t} SELECT * FROM ${t} WHERE 1 = 0`,
    UPDATE: (t) => `UPDATE ${t} SET ${LOOKUP_COLUMNS[t]![0]} = ${LOOKUP_COLUMNS[t]![0]} WHERE 1 = 0`,
    DELETE: (t) => `DELETE FROM ${t} WHERE 1 = 0`,
  };
  const denied: string[] = [];
  for (const table of LOOKUP_TABLES) {
    for (const privilege of PRIVILEGES) {
      try {
        await sequelize.query(probes[privilege](table));
      } catch (err) {
        // ER_TABLEACCESS_DENIED_ERROR (1142) and friends; anything else is not a missing grant.
        if (!/command denied|access denied/i.test((err as Error).message)) throw err;
        denied.push(`${privilege} ${table}`);
      }
    }
  }
  return summarize(denied);
}

/** ["SELECT users", "SELECT policy", "DELETE wblist"] → ["SELECT on users, policy", "DELETE on wblist"]. */
function summarize(denied: string[]): string[] {
  const byPrivilege = new Map<string, string[]>();
  for (const entry of denied) {
    const [privilege = '', object = ''] = entry.split(' ');
    byPrivilege.set(privilege, [...(byPrivilege.get(privilege) ?? []), object]);
  }
  return [...byPrivilege].map(([privilege, objects]) => `${privilege} on ${objects.join(', ')}`);
}

/** The statements that give this connection's user what sender lists and spam policies need. */
async function grantHint(sequelize: Sequelize, postgres: boolean): Promise<string> {
  const tables = LOOKUP_TABLES.join(', ');
  try {
    if (postgres) {
      const [row] = await sequelize.query<Record<string, string | null>>(
        "SELECT current_user AS u, pg_get_serial_sequence('users', 'id') AS s1, pg_get_serial_sequence('mailaddr', 'id') AS s2, pg_get_serial_sequence('policy', 'id') AS s3",
        { type: QueryTypes.SELECT },
      );
      const role = `"${String(row?.u).replace(/"/g, '""')}"`;
      const sequences = [row?.s1, row?.s2, row?.s3].filter((s): s is string => typeof s === 'string');
      const usage = sequences.length > 0 ? ` GRANT USAGE ON SEQUENCE ${sequences.join(', ')} TO ${role};` : '';
      return `as the owner of amavis's lookup tables: GRANT SELECT, INSERT, UPDATE, DELETE ON ${tables} TO ${role};${usage}`;
    }
    // CURRENT_USER() is the account the server matched: user@host, as GRANT names it.
    const [row] = await sequelize.query<{ u: string; db: string }>('SELECT CURRENT_USER() AS u, DATABASE() AS db', { type: QueryTypes.SELECT });
    const [user = '', host = '%'] = String(row?.u).split('@');
    const account = `'${user.replace(/'/g, "''")}'@'${host.replace(/'/g, "''")}'`;
    const db = `\`${String(row?.db).replace(/`/g, '``')}\``;
    return `as root: ${LOOKUP_TABLES.map((t) => `GRANT SELECT, INSERT, UPDATE, DELETE ON ${db}.${t} TO ${account};`).join(' ')}`;
  } catch {
    return `GRANT SELECT, INSERT, UPDATE, DELETE on ${tables} in the lookup database to the AQ_LOOKUP_DB_URL user`;
  }
}
