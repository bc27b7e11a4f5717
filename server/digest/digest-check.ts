import type { Model, ModelStatic } from 'sequelize';
import type { HealthFinding } from '../../shared/health';
import type { DigestModels } from '../db/digest-models';

const RESTART_FIX = 'start (or restart) a server instance: it creates the missing digest tables when it starts (the AQ_APP_DB_URL user needs CREATE there)';

/**
 * Checks the digests' tables in AQ_APP_DB_URL (digest-models.ts): the server creates them when it starts,
 * so none of them is a warning (no instance has started on this database yet); some of them, or one without
 * a column the models use, is a failure: the scheduler and `npm run digest` then fail at every run.
 */
export async function checkDigestTables(models: DigestModels): Promise<HealthFinding[]> {
  const all = [models.Setting, models.User, models.Log, models.State] as Array<ModelStatic<Model>>;
  const sequelize = all[0]!.sequelize!;
  try {
    await sequelize.authenticate();
  } catch (err) {
    return [{ status: 'fail', message: `cannot connect: ${(err as Error).message}`, hint: 'check AQ_APP_DB_URL (it is AQ_DB_URL unless set)' }];
  }
  const qi = sequelize.getQueryInterface();
  const missingTables: string[] = [];
  const findings: HealthFinding[] = [];
  for (const model of all) {
    const table = model.tableName;
    const described = await qi.describeTable(table).catch(() => undefined);
    if (!described) {
      missingTables.push(table);
      continue;
    }
    const missing = Object.entries(model.getAttributes())
      .map(([name, attribute]) => attribute.field ?? name)
      .filter((column) => !(column in described));
    if (missing.length) {
      findings.push({
        status: 'fail',
        message: `table ${table} lacks column(s) ${missing.join(', ')}: digests fail`,
        hint: `the server never changes an existing table: rename ${table} away (ALTER TABLE ${table} RENAME TO ${table}_old), then ${RESTART_FIX}`,
      });
    }
  }
  const names = all.map((m) => m.tableName);
  if (missingTables.length === all.length) {
    return [{ status: 'warn', message: `the digest tables (${names.join(', ')}) are not here yet: no digest has been sent from this database`, hint: RESTART_FIX }];
  }
  if (missingTables.length) findings.unshift({ status: 'fail', message: `digest table(s) ${missingTables.join(', ')} missing: digests fail`, hint: RESTART_FIX });
  if (!findings.length) findings.push({ status: 'ok', message: `the digest tables ${names.join(', ')} have their columns` });
  return findings;
}
