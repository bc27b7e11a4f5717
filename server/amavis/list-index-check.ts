import type { Sequelize } from 'sequelize';
import type { HealthFinding } from '../../shared/health';
import { CHECK_INDEX, LIST_CHECK_TABLE, LIST_TABLE, SEARCH_INDEX, listIndexes } from './list-index-ddl';
import { checkTablePresent, readListIndexState } from './list-indexer';
import { checkStatsTables, MIGRATE_FIX as MIGRATE } from './stats-check';

/** Checks the list index that `npm run migrate` installs: the table, every index, the statistics rollup, the build and the indexer's lag. */
export async function checkListIndex(sequelize: Sequelize, now = Math.floor(Date.now() / 1000)): Promise<HealthFinding[]> {
  const state = await readListIndexState(sequelize).catch(() => undefined);
  if (!state) {
    return [
      {
        status: 'warn',
        message: `the list index (table ${LIST_TABLE}) is not installed: listings read amavis's tables, which is slow for big quarantines, and cannot sort by sender or subject`,
        hint: MIGRATE,
      },
    ];
  }
  const findings: HealthFinding[] = [];
  const present = new Set(((await sequelize.getQueryInterface().showIndex(LIST_TABLE)) as Array<{ name: string }>).map((ix) => ix.name));
  const wanted = [...listIndexes().map((ix) => ix.name), ...(sequelize.getDialect() === 'sqlite' ? [] : [SEARCH_INDEX])];
  // The listings need every index; the rotating check only runs slower without its own (and its table),
  // as before an upgrade's migrate: a warning, so that a new version deployed ahead of migrate stays healthy.
  const missing = wanted.filter((name) => !present.has(name) && name !== CHECK_INDEX.name);
  findings.push(
    missing.length
      ? { status: 'fail', message: `the list index lacks index(es) ${missing.join(', ')}`, hint: MIGRATE }
      : { status: 'ok', message: `the list index has its ${wanted.length - (present.has(CHECK_INDEX.name) ? 0 : 1)} indexes` },
  );
  const checkParts = [
    ...(present.has(CHECK_INDEX.name) ? [] : [`its index ${CHECK_INDEX.name}`]),
    ...((await checkTablePresent(sequelize)) ? [] : [`its table ${LIST_CHECK_TABLE}`]),
  ];
  if (checkParts.length) {
    findings.push({
      status: 'warn',
      message: `the list index lacks ${checkParts.join(' and ')}: its rotating check walks the list in insertion order, reading a random page of msgrcpt and msgs for each row`,
      hint: MIGRATE,
    });
  }
  findings.push(await checkStatsTables(sequelize));
  if (!state.ready) {
    findings.push({
      status: 'warn',
      message: `the list index is being built (up to ${state.builtTo ? new Date(state.builtTo * 1000).toISOString() : 'the start'}); listings read amavis's tables until it is done`,
      hint: 'nothing to do: a running server builds it (`npm run migrate -- --build` builds it at once)',
    });
    return findings;
  }
  const age = now - state.sweptAt;
  findings.push(
    age > 60
      ? {
          status: 'warn',
          message: `no list indexer has run for ${age} s: new mail is not listed`,
          hint: 'start a server instance with AQ_LIST_INDEX_INTERVAL_MS > 0 (the default is 1000); one instance indexes at a time',
        }
      : { status: 'ok', message: `the list index is built, last brought up to date ${Math.max(0, age)} s ago` },
  );
  return findings;
}
