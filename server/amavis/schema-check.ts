import type { Sequelize } from 'sequelize';
import type { HealthFinding } from '../../shared/health';
import { RECOMMENDED_INDEXES, REQUIRED_COLUMNS } from './storage-schema';

/** Checks the amavis storage DB: reachable, the four tables with their key columns, indexes, privileges. */
export async function checkDatabase(sequelize: Sequelize): Promise<HealthFinding[]> {
  const findings: HealthFinding[] = [];
  try {
    await sequelize.authenticate();
    findings.push({ status: 'ok', message: `connected (${sequelize.getDialect()} ${await serverVersion(sequelize)})` });
  } catch (err) {
    findings.push(connectionFailure(err));
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
        hint: 'load amavisd-new\u2019s storage schema (README.sql-mysql in the amavisd-new docs) into this database, and point @storage_sql_dsn in amavisd.conf at it',
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
          : 'compare the table with README.sql-mysql of your amavisd-new version',
      });
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
      hint: 'GRANT SELECT, UPDATE, DELETE on the amavis tables (and CREATE for our aq_ tables) to the AQ_DB_URL user',
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
  return findings;
}

async function serverVersion(sequelize: Sequelize): Promise<string> {
  try {
    return await sequelize.getQueryInterface().databaseVersion();
  } catch {
    return 'unknown version';
  }
}

function connectionFailure(err: unknown): HealthFinding {
  const e = err as { original?: { code?: string }; parent?: { code?: string }; message: string };
  const code = e.original?.code ?? e.parent?.code ?? '';
  const hints: Record<string, string> = {
    ECONNREFUSED: 'nothing listens at that host and port: is MariaDB/MySQL running, and is AQ_DB_URL right?',
    ETIMEDOUT: 'no answer from the database host: check the address and firewalls',
    ENOTFOUND: 'the database host name does not resolve',
    ER_ACCESS_DENIED_ERROR: 'the user or password in AQ_DB_URL is wrong, or the user may not connect from this host',
    ER_DBACCESS_DENIED_ERROR: 'the user may not use that database: GRANT it the amavis tables',
    ER_BAD_DB_ERROR: 'the database named in AQ_DB_URL does not exist',
  };
  return {
    status: 'fail',
    message: `cannot connect: ${e.message}`,
    hint: hints[code] ?? 'check AQ_DB_URL (mysql://user:password@host:3306/database)',
  };
}
