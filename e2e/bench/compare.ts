import type { Sequelize } from 'sequelize';
import { createQuarantineLister } from '../../server/amavis/listing';
import { ms } from './report';
import { DEEP_PAGE, DELIMITER, PAGE, followCursor, rowKey, sortKey, type Measured } from './scenarios';

/** What the old plans (amavis's tables, useIndex: false) said about one scenario. */
export interface OldPlanCheck {
  measured: Measured;
  /** ms of one list() call on the old plans (after one warm-up call), or undefined when not asked. */
  oldMs?: number;
  /** The old plans hit the statement timeout (oldMs is the timeout then). */
  timedOut?: boolean;
  verdict: 'same' | 'same, ties in another order' | 'MISMATCH' | 'differs (search semantics)' | 'old plan timed out' | 'old plan failed' | 'n/a (index only)';
  detail?: string;
}

const isSearch = (m: Measured) => Boolean(m.query.q || m.query.from || m.query.to);

/**
 * Lists each scenario's first page again with the old plans and compares it with the index's page: the
 * same rows in the same order for the date and score orders (newest/highest first), the same count.
 * Searches are compared too but a difference is expected, not an error: the index matches words by
 * their start, the old plans by substring. Sorts the old plans cannot serve (sender, subject, oldest
 * first) are skipped. `sequelize` should carry a short statement timeout: the old plans take seconds to
 * minutes on the heavy scopes.
 */
export async function checkAgainstOldPlans(sequelize: Sequelize, measured: Measured[], timeoutMs: number, log: (line: string) => void): Promise<OldPlanCheck[]> {
  const out: OldPlanCheck[] = [];
  for (const m of measured) {
    if (m.error) continue;
    const sort = m.query.sort ?? 'date';
    if (!((sort === 'date' || sort === 'score') && (m.query.dir ?? 'desc') === 'desc')) {
      out.push({ measured: m, verdict: 'n/a (index only)' });
      continue;
    }
    const lister = createQuarantineLister(sequelize, { recipientDelimiter: DELIMITER, useIndex: false });
    try {
      const deep = m.scenario.question === `page ${DEEP_PAGE}`;
      // The old plans have cursors of their own: a deep page follows them from the start.
      const query = deep ? (await followCursor(lister, m.scenario.scope, DEEP_PAGE - 1)).query : { ...m.query, cursor: undefined };
      await lister.list(m.scenario.scope, query);
      const started = performance.now();
      const page = await lister.list(m.scenario.scope, query);
      const oldMs = performance.now() - started;
      const keys = page.rows.map(rowKey);
      const check: OldPlanCheck = { measured: m, oldMs, verdict: 'same' };
      const sameRows = keys.join() === m.pageKeys.join();
      const sameCount = !m.query.count || JSON.stringify(page.count) === JSON.stringify(m.count);
      if (
        !sameRows &&
        sameCount &&
        !isSearch(m) &&
        tiesOnly(
          m,
          keys,
          page.rows.map((r) => sortKey(r, query)),
        )
      ) {
        check.verdict = 'same, ties in another order';
        check.detail = describeDifference(m.pageKeys, keys);
      } else if (!sameRows || !sameCount) {
        check.verdict = isSearch(m) ? 'differs (search semantics)' : 'MISMATCH';
        check.detail = describeDifference(m.pageKeys, keys, m.count, page.count);
      }
      log(`  old plans, ${m.scenario.name}: ${ms(oldMs)} ms, ${check.verdict}${check.detail && check.verdict === 'MISMATCH' ? `: ${check.detail}` : ''}`);
      out.push(check);
    } catch (error) {
      const detail = (error as Error).message.split('\n')[0] ?? 'failed';
      // MariaDB's max_statement_time, PostgreSQL's statement_timeout: the old plan is just slow.
      if (/max_statement_time|statement timeout/i.test(detail)) {
        log(`  old plans, ${m.scenario.name}: over ${ms(timeoutMs)} ms, not compared`);
        out.push({ measured: m, verdict: 'old plan timed out', oldMs: timeoutMs, timedOut: true, detail });
        continue;
      }
      log(`  old plans, ${m.scenario.name}: failed, ${detail}`);
      out.push({ measured: m, verdict: 'old plan failed', detail });
    }
  }
  return out;
}

/**
 * Whether two pages differ only in how rows with equal sort keys are ordered (many msgs share a
 * time_num; the list index breaks ties by its own id, the old plans by amavis's keys): the same sequence
 * of sort keys, and the same rows but for those that share the last row's key (the page cut them apart).
 */
export function tiesOnly(m: Pick<Measured, 'pageKeys' | 'pageSortKeys'>, oldKeys: string[], oldSortKeys: string[]): boolean {
  if (oldSortKeys.join() !== m.pageSortKeys.join()) return false;
  const last = oldSortKeys.at(-1);
  const inner = (keys: string[], sorts: string[]) =>
    keys
      .filter((_, i) => sorts[i] !== last)
      .sort()
      .join();
  return inner(m.pageKeys, m.pageSortKeys) === inner(oldKeys, oldSortKeys);
}

function describeDifference(index: string[], old: string[], indexCount?: { value: number; capped: boolean }, oldCount?: { value: number; capped: boolean }): string {
  const parts: string[] = [];
  if (JSON.stringify(indexCount) !== JSON.stringify(oldCount)) parts.push(`count index ${JSON.stringify(indexCount)} vs old ${JSON.stringify(oldCount)}`);
  if (index.join() !== old.join()) {
    const at = index.findIndex((k, i) => k !== old[i]);
    const onlyIndex = index.filter((k) => !old.includes(k)).length;
    const onlyOld = old.filter((k) => !index.includes(k)).length;
    parts.push(
      `rows: index ${index.length}, old ${old.length} (of ${PAGE}); first difference at position ${at === -1 ? index.length : at + 1} ` +
        `(index ${index[at] ?? '-'}, old ${old[at] ?? '-'}); ${onlyIndex} only in the index's page, ${onlyOld} only in the old page`,
    );
  }
  return parts.join('; ');
}
