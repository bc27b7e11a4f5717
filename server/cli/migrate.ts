import type { Sequelize } from 'sequelize';
import { amavisDialect, type Dialect } from '../amavis/dialect';
import { LIST_TABLE, dropListIndexDdl, indexStatement, listIndexDdl } from '../amavis/list-index-ddl';
import { createListIndexer, readListIndexState } from '../amavis/list-indexer';
import { readFileSync } from 'node:fs';
import { dbUrl } from '../config/fields';
import { parseEnvFile } from '../config/env-file';
import { createSequelize } from '../db/connect';
import { consoleOutput, runAsEntryPoint, usageError, type CliOutput } from './bootstrap';

const USAGE = 'usage: npm run migrate -- [--print [mariadb|postgres]] [--build] [--down]';

/**
 * `npm run migrate`: installs what the server adds to the amavis database, the list index
 * (server/amavis/list-index-ddl.ts): its table, indexes and state row, and the statistics rollup it feeds
 * (stats-ddl.ts); on PostgreSQL the pg_trgm extension too. Every statement is safe to run again. amavis's own tables are not touched.
 * - `--print [dialect]`: prints the SQL instead (for a DBA to run as the tables' owner), without connecting
 *   when the dialect is given;
 * - `--build`: then builds the index at once (a running server does it in the background otherwise);
 * - `--down`: removes it; listings go back to reading amavis's tables.
 * Exit codes: 0 done, 1 the database refused, 2 the configuration or command line is invalid.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, output: CliOutput = consoleOutput): Promise<number> {
  const unknown = argv.filter((a) => !['--print', '--build', '--down', 'mariadb', 'mysql', 'postgres'].includes(a));
  if (unknown.length) {
    return usageError(output, 'migrate', `unknown argument ${unknown.join(' ')}`, USAGE);
  }
  const given = argv.find((a): a is Dialect => a === 'mariadb' || a === 'mysql' || a === 'postgres');
  if (argv.includes('--print') && given) {
    output.out(script(argv.includes('--down') ? dropListIndexDdl() : listIndexDdl(given)));
    return 0;
  }
  // Only AQ_DB_URL is needed (from the environment, or AQ_CONFIG_FILE as the server reads it).
  let url = env.AQ_DB_URL;
  try {
    url ??= env.AQ_CONFIG_FILE ? parseEnvFile(readFileSync(env.AQ_CONFIG_FILE, 'utf8')).AQ_DB_URL : undefined;
  } catch (err) {
    output.err(`amavis-quarantine migrate: cannot read AQ_CONFIG_FILE: ${(err as Error).message}`);
    return 2;
  }
  const parsed = dbUrl('AQ_DB_URL').safeParse(url);
  if (!parsed.success) {
    return usageError(output, 'migrate', url === undefined ? 'AQ_DB_URL is not set' : (parsed.error.issues[0]?.message ?? 'AQ_DB_URL is invalid'), USAGE);
  }
  // No statement timeout: an index build on a big table may take minutes.
  const sequelize = createSequelize(parsed.data);
  try {
    const dialect = await amavisDialect(sequelize);
    const statements = argv.includes('--down') ? dropListIndexDdl() : listIndexDdl(dialect);
    if (argv.includes('--print')) {
      output.out(script(statements));
      return 0;
    }
    // One connection for all of them: MariaDB reads SET SESSION innodb_ft_enable_stopword when it builds
    // the FULLTEXT index, on that session. (A transaction pins the connection; DDL commits on its own.)
    await sequelize.transaction(async (transaction) => {
      let present: Set<string> | undefined;
      for (const sql of statements) {
        const index = indexStatement(sql);
        if (index) {
          present ??= new Set(((await sequelize.getQueryInterface().showIndex(LIST_TABLE, { transaction })) as Array<{ name: string }>).map((ix) => ix.name));
          if (present.has(index)) continue;
          output.out(`creating index ${index}`);
          await sequelize.query(dialect === 'mysql' ? sql.replace(' IF NOT EXISTS', '') : sql, { transaction });
        } else await sequelize.query(sql, { transaction });
      }
    });
    if (argv.includes('--down')) {
      output.out('the list index is removed; listings read amavis\u2019s tables');
      return 0;
    }
    output.out(`the list index is installed in ${dialect === 'postgres' ? 'PostgreSQL' : dialect === 'sqlite' ? 'SQLite' : 'MariaDB/MySQL'}`);
    if (argv.includes('--build')) await build(sequelize, output);
    else output.out('a running server builds it in the background (`npm run doctor` shows how far); `--build` builds it now');
    return 0;
  } catch (err) {
    output.err(
      `amavis-quarantine migrate: ${(err as Error).message}\nThe AQ_DB_URL user needs CREATE and INDEX here (PostgreSQL: CREATE on the schema, and pg_trgm available); or run \`npm run migrate -- --print\` and have the owner run the SQL.`,
    );
    return 1;
  } finally {
    await sequelize.close();
  }
}

/** Builds the list index chunk by chunk, printing progress, until it is ready. */
async function build(sequelize: Sequelize, output: CliOutput): Promise<void> {
  const indexer = createListIndexer(sequelize);
  const started = Date.now();
  for (;;) {
    if (!(await indexer.runOnce())) {
      output.out('another instance is building it; waiting');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const state = await readListIndexState(sequelize);
    if (state?.ready) break;
    output.out(`built up to ${new Date((state?.builtTo ?? 0) * 1000).toISOString()}`);
  }
  output.out(`the list index is built (${Math.round((Date.now() - started) / 1000)} s)`);
}

const script = (statements: string[]) => statements.map((s) => `${s};`).join('\n\n');

runAsEntryPoint(import.meta.url, 'migrate', main);
