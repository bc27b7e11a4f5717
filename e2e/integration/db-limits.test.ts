import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSequelize, statementKiller, transientDbFault } from '../../server/db/connect';
import { stackEnv } from '../support/stack';
import { connectionIdOf, sleepingOn, sleepStatement, STATEMENT_STOPPED } from '../support/test-db';

/** What a statement ended with: the error it failed with, or a note that it completed. */
const outcomeOf = (statement: Promise<unknown>) =>
  statement.then(
    () => new Error('the statement completed'),
    (err: unknown) => err as Error,
  );

// The two limits server/db/connect.ts leaves to the database server of this run (AQ_TEST_DB), which
// the fault tests cannot tell from the client's own deadline: the statement time limit (MariaDB's
// max_statement_time, PostgreSQL's statement_timeout) and stopping one statement from another connection
// (KILL QUERY, pg_cancel_backend), which is how an abandoned listing ends. Each is told apart by the
// error the database server gives, not by how long anything took.
describe('the database server enforces our statement limits', () => {
  let bounded: Sequelize;
  let single: Sequelize;

  beforeAll(() => {
    const url = stackEnv().AQ_DB_URL;
    bounded = createSequelize(url, { limits: { statementTimeoutMs: 1_000, poolMax: 2, acquireTimeoutMs: 10_000 } });
    // One connection, so the id asked for is that of the connection the next statement runs on.
    single = createSequelize(url, { limits: { statementTimeoutMs: 20_000, poolMax: 1, acquireTimeoutMs: 10_000 } });
  });
  afterAll(async () => {
    await Promise.all([bounded?.close(), single?.close()]);
  });

  it('stops a statement that runs past the time limit, with an error the server answers as busy', async () => {
    const err = await outcomeOf(bounded.query(sleepStatement(60)));
    expect(err.message).toMatch(STATEMENT_STOPPED.byTimeLimit);
    expect(transientDbFault(err)).toMatchObject({ retryAfterSeconds: 5 });
  });

  it('stops a running statement when another connection asks, by its connection id', async () => {
    const id = await connectionIdOf(single);
    const sleeping = outcomeOf(single.query(sleepStatement(600)));
    // Asked only once the statement runs: a request before it started would stop nothing.
    await expect.poll(() => sleepingOn(bounded, id), { timeout: 30_000, interval: 50 }).toBe(true);
    await statementKiller(bounded)(id);
    const err = await sleeping;
    // Not the 20 s time limit of its own pool: the other connection's request stopped it.
    expect(err.message).toMatch(STATEMENT_STOPPED.byRequest);
    expect(transientDbFault(err)).toBeDefined();
    // The connection itself stays usable: only the statement was stopped.
    expect(await connectionIdOf(single)).toBe(id);
  });
});
