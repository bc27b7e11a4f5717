import type { Sequelize } from 'sequelize';
import type { HealthFinding } from '../../shared/health';
import { checkListIndex } from './list-index-check';
import { BINARY_COLUMNS, RECOMMENDED_INDEXES, REQUIRED_COLUMNS } from './storage-schema';

/** The schema file of amavisd-new's documentation for this database. */
const schemaDoc = (sequelize: Sequelize) => (sequelize.getDialect() === 'postgres' ? 'README.sql-pg' : 'README.sql-mysql');

/** Checks the amavis storage DB: reachable, the four tables with their key columns, indexes, privileges. */
export async function checkDatabase(sequelize: Sequelize): Promise<HealthFinding[]> {
  const findings: HealthFinding[] = [];
  const postgres = sequelize.getDialect() === 'postgres';
  try {
    await sequelize.authenticate();
    findings.push({ status: 'ok', message: `connected (${sequelize.getDialect()} ${await serverVersion(sequelize)})` });
  } catch (err) {
    findings.push(connectionFailure(err, postgres));
    return findings;
  }

  const qi = sequelize.getQueryInterface();
  const present = new Set((await qi.showAllTables()).map((t) => String(typeof t === 'string' ? t : (t as { tableName: string }).tableName)));
  let schemaOk = true;
  for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
    if (!present.has(table)) {
      schemaOk = false;
      findings.push({
        status: 'fail',
        message: `table ${table} is missing`,
        hint: `load amavisd-new\u2019s storage schema (${schemaDoc(sequelize)} in the amavisd-new docs) into this database, and point @storage_sql_dsn in amavisd.conf at it`,
      });
      continue;
    }
    const described = await qi.describeTable(table);
    const missing = columns.filter((c) => !(c in described));
    if (missing.length > 0) {
      schemaOk = false;
      const old = missing.includes('partition_tag') || missing.includes('rseqnum');
      findings.push({
        status: 'fail',
        message: `table ${table} lacks column(s) ${missing.join(', ')}`,
        hint: old
          ? 'this schema predates amavisd-new 2.7: apply the schema upgrade steps from amavisd-new\u2019s RELEASE_NOTES'
          : `compare the table with ${schemaDoc(sequelize)} of your amavisd-new version`,
      });
      continue;
    }
    if (postgres) {
      // Before amavisd-new 2.6/2.7 these were text; the server compares them as bytes, as amavisd
      // does with $sql_allow_8bit_address, and every query on a text column would fail.
      const text = (BINARY_COLUMNS[table] ?? []).filter((c) => !/^bytea$/i.test(String(described[c]?.type ?? '')));
      if (text.length > 0) {
        schemaOk = false;
        findings.push({
          status: 'fail',
          message: `table ${table}: column(s) ${text.join(', ')} are ${text.map((c) => String(described[c]?.type ?? '?').toLowerCase()).join(', ')}, not bytea`,
          hint: `convert them as README.sql-pg says, e.g. ${text.map((c) => `ALTER TABLE ${table} ALTER ${c} TYPE bytea USING decode(${c}, 'escape');`).join(' ')} and set $sql_allow_8bit_address = 1 in amavisd.conf`,
        });
      }
    }
  }
  if (!schemaOk) return findings;
  findings.push({ status: 'ok', message: 'tables maddr, msgs, msgrcpt and quarantine have the key columns (partition_tag, mail_id, rseqnum, …)' });

  for (const index of RECOMMENDED_INDEXES) {
    const indexes = (await qi.showIndex(index.table)) as Array<{ fields: Array<{ attribute: string }> }>;
    const found = indexes.some((ix) => index.leading.every((col, i) => ix.fields[i]?.attribute === col));
    findings.push(
      found
        ? { status: 'ok', message: `index on ${index.table} (${index.leading.join(', ')}) exists` }
        : { status: 'warn', message: `no index on ${index.table} (${index.leading.join(', ')}): it ${index.why}`, hint: index.create },
    );
  }

  // Marking a row released or deleted needs UPDATE on msgrcpt. A statement that matches no row still
  // goes through the privilege check, so this tests the grant without touching data.
  try {
    await sequelize.query('UPDATE msgrcpt SET rs = rs WHERE 1 = 0');
    findings.push({ status: 'ok', message: 'may update msgrcpt (to mark mail released or deleted)' });
  } catch (err) {
    findings.push({
      status: 'fail',
      message: `may not update msgrcpt: ${(err as Error).message}`,
      hint: await grantHint(sequelize, postgres),
    });
  }

  const [rows] = (await sequelize.query('SELECT MAX(time_num) AS newest FROM msgs')) as [Array<{ newest: number | null }>, unknown];
  const newest = rows[0]?.newest;
  findings.push(
    newest
      ? { status: 'ok', message: `newest stored mail: ${new Date(Number(newest) * 1000).toISOString()}` }
      : {
          status: 'warn',
          message: 'amavisd has stored no mail in this database yet',
          hint: 'fine on a new install; otherwise check that @storage_sql_dsn in amavisd.conf names this database',
        },
  );
  findings.push(...(await checkListIndex(sequelize)));
  return findings;
}

/** The statements that give this connection's user what the server needs, in the database's own terms. */
async function grantHint(sequelize: Sequelize, postgres: boolean): Promise<string> {
  try {
    if (postgres) {
      const [rows] = (await sequelize.query('SELECT current_user AS u')) as [Array<{ u: string }>, unknown];
      const role = `"${String(rows[0]?.u).replace(/"/g, '""')}"`;
      return `as the owner of amavis's tables: GRANT SELECT, UPDATE, DELETE ON maddr, msgs, msgrcpt, quarantine TO ${role}; GRANT INSERT ON maddr TO ${role}; (for our aq_ tables in this database also GRANT CREATE ON SCHEMA public TO ${role};)`;
    }
    // CURRENT_USER() is the account the server matched: user@host, as GRANT names it.
    const [rows] = (await sequelize.query('SELECT CURRENT_USER() AS u, DATABASE() AS db')) as [Array<{ u: string; db: string }>, unknown];
    const [user = '', host = '%'] = String(rows[0]?.u).split('@');
    const account = `'${user.replace(/'/g, "''")}'@'${host.replace(/'/g, "''")}'`;
    return `as root: GRANT SELECT, UPDATE, DELETE, INSERT, CREATE ON \`${String(rows[0]?.db).replace(/`/g, '``')}\`.* TO ${account}; (INSERT on maddr is for the cleanup, CREATE for our aq_ tables)`;
  } catch {
    return 'GRANT SELECT, UPDATE, DELETE on the amavis tables (INSERT on maddr, and CREATE for our aq_ tables) to the AQ_DB_URL user';
  }
}

async function serverVersion(sequelize: Sequelize): Promise<string> {
  try {
    return await sequelize.getQueryInterface().databaseVersion();
  } catch {
    return 'unknown version';
  }
}

function connectionFailure(err: unknown, postgres: boolean): HealthFinding {
  const e = err as { original?: { code?: string }; parent?: { code?: string }; message: string };
  const code = e.original?.code ?? e.parent?.code ?? '';
  const hints: Record<string, string> = {
    ECONNREFUSED: `nothing listens at that host and port: is ${postgres ? 'PostgreSQL' : 'MariaDB/MySQL'} running, and is AQ_DB_URL right?`,
    ETIMEDOUT: 'no answer from the database host: check the address and firewalls',
    ENOTFOUND: 'the database host name does not resolve',
    ER_ACCESS_DENIED_ERROR: 'the user or password in AQ_DB_URL is wrong, or the user may not connect from this host',
    ER_DBACCESS_DENIED_ERROR: 'the user may not use that database: GRANT it the amavis tables',
    ER_BAD_DB_ERROR: 'the database named in AQ_DB_URL does not exist',
    // PostgreSQL's SQLSTATEs.
    '28P01': 'the password in AQ_DB_URL is wrong for that role',
    '28000': 'PostgreSQL refuses this role from this host: check the role exists and that pg_hba.conf lets it connect to that database',
    '3D000': 'the database named in AQ_DB_URL does not exist',
    '53300': 'PostgreSQL has no free connection slot: raise max_connections or lower AQ_DB_POOL_MAX',
  };
  return {
    status: 'fail',
    message: `cannot connect: ${e.message}`,
    hint: hints[code] ?? (postgres ? 'check AQ_DB_URL (postgres://user:password@host:5432/database)' : 'check AQ_DB_URL (mysql://user:password@host:3306/database)'),
  };
}
