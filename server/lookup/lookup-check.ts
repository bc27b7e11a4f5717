import { QueryTypes, type Sequelize } from 'sequelize';
import type { HealthFinding } from '../../shared/health';
import { POLICY_FIELDS } from '../../shared/policy';
import { ISPCONFIG_SYS_COLUMNS } from './ispconfig-store';
import type { LookupSchema } from './lookup-store';

/** Per lookup schema, the tables and the columns our SQL on them names (lookup-store.ts, ispconfig-store.ts, policy-store.ts). */
export const LOOKUP_COLUMNS: Record<LookupSchema, Record<string, readonly string[]>> = {
  amavis: {
    users: ['id', 'priority', 'policy_id', 'email', 'fullname'],
    mailaddr: ['id', 'priority', 'email'],
    wblist: ['rid', 'sid', 'wb'],
    policy: ['id', 'policy_name', ...POLICY_FIELDS],
  },
  ispconfig: {
    spamfilter_users: ['id', 'priority', 'policy_id', 'email', 'fullname', 'local', 'server_id', ...ISPCONFIG_SYS_COLUMNS],
    spamfilter_wblist: ['wblist_id', 'rid', 'email', 'wb', 'priority', 'active', 'server_id', ...ISPCONFIG_SYS_COLUMNS],
    spamfilter_policy: ['id', 'policy_name', ...POLICY_FIELDS, ...ISPCONFIG_SYS_COLUMNS],
  },
};

const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
type Privilege = (typeof PRIVILEGES)[number];

/** "a, b and c". */
const and = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? ''));

/**
 * Checks amavis's lookup database (AQ_LOOKUP_DB_URL, amavisd's @lookup_sql_dsn): reachable, the tables of the
 * schema (amavis's users, mailaddr, wblist and policy, or ISPConfig's spamfilter_users, spamfilter_wblist and
 * spamfilter_policy) with the columns we use, and SELECT/INSERT/UPDATE/DELETE on them.
 */
export async function checkLookupDatabase(sequelize: Sequelize, schema: LookupSchema = 'amavis'): Promise<HealthFinding[]> {
  const postgres = sequelize.getDialect() === 'postgres';
  const doc = postgres ? 'README.sql-pg' : 'README.sql-mysql';
  const columns = LOOKUP_COLUMNS[schema];
  const tables = Object.keys(columns);
  const ispconfig = schema === 'ispconfig';
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
  const missingTables = tables.filter((t) => !present.has(t));
  if (missingTables.length > 0) {
    findings.push({
      status: 'fail',
      message: `table(s) ${missingTables.join(', ')} missing`,
      hint: ispconfig
        ? `these are ISPConfig 3\u2019s tables: point AQ_LOOKUP_DB_URL at ISPConfig\u2019s database on the mail server (dbispconfig), the one @lookup_sql_dsn in its amavisd config names; or set AQ_LOOKUP_SCHEMA=amavis for amavis\u2019s own tables`
        : present.has('spamfilter_users')
          ? 'this is ISPConfig\u2019s database (spamfilter_users): set AQ_LOOKUP_SCHEMA=ispconfig, so that sender lists and spam policies go into its spamfilter tables'
          : `create amavisd-new\u2019s lookup tables (users, mailaddr, wblist, policy: the first part of ${doc} in the amavisd-new docs) in this database, and point @lookup_sql_dsn in amavisd.conf at it`,
    });
  }
  for (const table of tables.filter((t) => present.has(t))) {
    const described = await qi.describeTable(table);
    const missing = (columns[table] ?? []).filter((c) => !(c in described));
    if (missing.length > 0) {
      findings.push({
        status: 'fail',
        message: `table ${table} lacks column(s) ${missing.join(', ')}`,
        hint: ispconfig
          ? 'compare the table with install/sql/ispconfig3.sql of ISPConfig 3.1 or later (an older or patched schema is not supported)'
          : `compare the table with ${doc} of your amavisd-new version (a hosting panel\u2019s own lookup tables are not amavis\u2019s: see AQ_LOOKUP_SCHEMA)`,
      });
    }
  }
  if (findings.length > 0) return findings;
  findings.push({ status: 'ok', message: `tables ${and(tables)} have the columns sender lists and spam policies use` });

  const denied = postgres ? await deniedOnPostgres(sequelize, tables) : await deniedOnMariaDb(sequelize, columns);
  if (denied.length === 0) {
    findings.push({ status: 'ok', message: `may select, insert, update and delete on ${and(tables)}` });
  } else {
    findings.push({
      status: 'fail',
      message: `may not ${denied.join('; ')}: sender lists and spam policies cannot be ${denied.some((d) => d.startsWith('SELECT')) ? 'read' : 'changed'}`,
      hint: await grantHint(sequelize, postgres, tables),
    });
  }
  return findings;
}

/** "SELECT on users, wblist" for every privilege the role lacks; PostgreSQL says so itself, the sequences included. */
async function deniedOnPostgres(sequelize: Sequelize, tables: string[]): Promise<string[]> {
  const checks = tables.flatMap((table) => PRIVILEGES.map((privilege) => `has_table_privilege('${table}', '${privilege}') AS "${privilege} ${table}"`));
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
async function deniedOnMariaDb(sequelize: Sequelize, columns: Record<string, readonly string[]>): Promise<string[]> {
  const probes: Record<Privilege, (table: string) => string> = {
    SELECT: (t) => `SELECT 1 FROM ${t} WHERE 1 = 0`,
    INSERT: (t) => `INSERT INTO ${t} SELECT * FROM ${t} WHERE 1 = 0`,
    UPDATE: (t) => `UPDATE ${t} SET ${columns[t]![0]} = ${columns[t]![0]} WHERE 1 = 0`,
    DELETE: (t) => `DELETE FROM ${t} WHERE 1 = 0`,
  };
  const denied: string[] = [];
  for (const table of Object.keys(columns)) {
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
async function grantHint(sequelize: Sequelize, postgres: boolean, names: string[]): Promise<string> {
  const tables = names.join(', ');
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
    return `as root: ${names.map((t) => `GRANT SELECT, INSERT, UPDATE, DELETE ON ${db}.${t} TO ${account};`).join(' ')}`;
  } catch {
    return `GRANT SELECT, INSERT, UPDATE, DELETE on ${tables} in the lookup database to the AQ_LOOKUP_DB_URL user`;
  }
}
