#!/usr/bin/env bash
# `npm test`: installs and starts the real stack (MariaDB, PostgreSQL, Dovecot, and an amavisd-new for
# each database) on loopback, sends the seed mail through both amavisd, type-checks, builds the widget and
# checks its size budget, then runs the unit tests beside the integration tests against MariaDB, then the
# same integration tests against PostgreSQL (AQ_TEST_DB=postgres), then the browser tests (integration and
# browser tests stop and start peers of the one shared stack, so they never run side by side; the unit
# tests touch no peer).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "npm test installs and starts the real stack and must run as root (see README.md)" >&2
  exit 2
fi

# In CI the stack goes away with the run; on a developer machine it stays up for the next run. The
# demo's clone (below) always goes.
demo_clone=$(mktemp -d)
finish() {
  kill "${demo_pid:-}" "${unit_pid:-}" 2>/dev/null || true
  rm -rf "$demo_clone" "$demo_clone.log"
  if [ "${CI:-}" = "true" ]; then bash e2e/stack/down.sh || true; fi
}
trap finish EXIT

# The demo test starts `npm start` in a fresh clone. The clone and its `npm ci` (minutes: sqlite3 builds
# from source) are made here, in the background while the stack starts and the other tests run, with no
# time limit, so the test itself only starts and drives the demo. In CI this checkout is itself a fresh
# clone whose node_modules `npm ci` has just made from the same lock file (.ci/run): the clone gets a copy
# of them rather than a second build of sqlite3, which took 2.5 minutes of the two cores the tests share.
demo_modules() {
  if [ "${CI:-}" = "true" ] && [ -f node_modules/.package-lock.json ] && git diff --quiet HEAD -- package-lock.json; then
    nice cp -a node_modules "$demo_clone/node_modules"
  else
    (cd "$demo_clone" && nice npm ci --no-audit --no-fund --prefer-offline)
  fi
}
(git clone -q . "$demo_clone" && demo_modules) >"$demo_clone.log" 2>&1 &
demo_pid=$!

# Each phase's start time is printed ("== 12:34:56 …"), so a slow run shows where its minutes went.
phase() { echo "== $(date +%T) $*"; }
phase "stack: up and seed"
bash e2e/stack/up.sh
bash e2e/stack/seed.sh
# Sign-in failures are counted in the shared database (aq_rate_limits) for up to an hour: a run must not
# start with the previous run's counts against 127.0.0.1 and the test users. The table is missing before
# the server's first start. PostgreSQL's amavis database has its own, for the AQ_TEST_DB=postgres run.
mysql --protocol=socket -uroot amavis -e 'DELETE FROM aq_rate_limits' 2>/dev/null || true
pg_url=$(sed -n 's/^AQ_PG_DB_URL=//p' "${AQ_STACK_DIR:-/var/tmp/aq-stack}/stack.env" 2>/dev/null || true)
[ -z "$pg_url" ] || psql "$pg_url" -X -q -c 'DELETE FROM aq_rate_limits' >/dev/null 2>&1 || true
# The list index (npm run migrate), in both amavis databases, built at once: the tests list from it.
stack_env="${AQ_STACK_DIR:-/var/tmp/aq-stack}/stack.env"
phase "list index: migrate --build"
for key in AQ_DB_URL AQ_PG_DB_URL; do
  AQ_DB_URL=$(sed -n "s/^$key=//p" "$stack_env") npx tsx server/cli/migrate.ts --build | tail -n 1
done
phase "typecheck, build, size"
npm run --silent typecheck
npm run --silent build
npm run --silent size

results=$(mktemp -d)
unit_log=$(mktemp)
status=0
# Each run writes its own JSON result, so that the summary counts both integration runs.
vitest_run() {
  local run=$1 test_db=mariadb
  # The amavis database (and the amavisd storing in it) the integration tests use; see e2e/support/stack.ts.
  [ "$run" = integration-postgres ] && test_db=postgres
  AQ_TEST_DB=$test_db npx vitest run --project "${run%-postgres}" --reporter=default --reporter=json --outputFile.json="$results/$run.json"
}
# The unit tests need no peer: they run beside the MariaDB integration run, which mostly waits for
# amavisd, Dovecot and the databases, and their report is printed when both are done.
phase "vitest: unit (beside the next run; its report follows it)"
vitest_run unit > "$unit_log" 2>&1 &
unit_pid=$!
for run in integration unit integration-postgres browser; do
  if [ "$run" = unit ]; then
    wait "$unit_pid" || status=1
    phase "vitest: unit, its report"
    cat "$unit_log"
    continue
  fi
  if [ "$run" = browser ]; then
    echo "== waiting for the demo's fresh clone"
    if wait "$demo_pid"; then
      export AQ_DEMO_CLONE="$demo_clone"
    else
      echo "could not prepare the demo clone; the demo test will fail:" >&2
      tail -n 20 "$demo_clone.log" >&2 || true
    fi
  fi
  phase "vitest: $run"
  vitest_run "$run" || status=1
done
rm -f "$unit_log"

phase "done"
node -e '
  const fs = require("fs"); let passed = 0, failed = 0, skipped = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    // A file that fails to load, or whose beforeAll fails, has no failed test of its own (its tests are
    // skipped): count it as one failure.
    const broken = r.testResults.filter((t) => t.status === "failed" && !t.assertionResults.some((a) => a.status === "failed")).length;
    passed += r.numPassedTests; failed += r.numFailedTests + broken; skipped += r.numPendingTests + (r.numTodoTests || 0);
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results"
rm -rf "$results"
exit $status
