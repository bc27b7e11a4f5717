import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPdpClient } from '../../server/clients/amavis-pdp';
import { parsePdpEndpoint } from '../../server/config';
import { checkPdp } from '../../server/services/health-pdp';
import { startTestServer, type TestServer } from '../support/server';
import { onPostgres, runDoctor, serverEnv, stackCtl, stackEnv } from '../support/stack';

/** A regular expression matching `text` literally (ports and socket paths of this run's amavisd). */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

// `npm run doctor` against the real database (MariaDB or PostgreSQL, AQ_TEST_DB), Dovecot and that
// database's amavisd: every check passes on a good setup, and each classic misconfiguration is told
// apart from the others, with its fix.
describe('npm run doctor against the real stack', () => {
  const stack = stackEnv();
  // A good setup has a server running, whose list indexer keeps the index current: without one the doctor
  // rightly warns that new mail is not listed (it did in CI, when the last test's server had stopped over a
  // minute before on a loaded machine). Each test starts right after a turn of it.
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ AQ_LIST_INDEX_INTERVAL_MS: '0' });
  });
  afterAll(() => server?.close());
  beforeEach(async () => {
    await server.context.listIndexer.runOnce();
  });

  it('passes every check over STARTTLS and the TCP AM.PDP bank', async () => {
    const { code, stdout } = await runDoctor(serverEnv());
    expect(stdout).not.toMatch(/\[FAIL\]|\[warn\]/);
    expect(stdout).toMatch(/5 ok, 0 with warnings, 0 failed/);
    expect(stdout).toMatch(/STARTTLS: TLSv1\.[23], certificate verified/);
    expect(stdout).toMatch(/an AM.PDP policy bank answered, and it checks secret_ids/);
    expect(code).toBe(0);
  });

  it('checks the lookup database amavisd reads sender lists and policies from: its own on MariaDB, the storage one on PostgreSQL', async () => {
    const { stdout } = await runDoctor(serverEnv());
    const lookupDb = new URL(stack.AQ_LOOKUP_DB_URL ?? stack.AQ_DB_URL).pathname;
    expect(stdout).toMatch(new RegExp(literally(`[ ok ] amavis lookup database (sender lists, spam policy): `) + `\\S+${literally(lookupDb)} `));
    expect(stdout).toMatch(/\[ ok \] tables users, mailaddr, wblist and policy have the columns sender lists and spam policies use/);
    expect(stdout).toMatch(/\[ ok \] may select, insert, update and delete on users, mailaddr, wblist and policy/);
    if (!onPostgres) expect(lookupDb).toBe('/amavis_lookup');
  });

  it('passes over implicit TLS and the unix socket', async () => {
    const { code, stdout } = await runDoctor(serverEnv({ AQ_IMAP_TLS: 'tls', AQ_IMAP_PORT: stack.AQ_IMAP_TLS_PORT, AQ_PDP: `unix:${stack.AQ_PDP_SOCKET}` }));
    expect(stdout).toMatch(/implicit TLS: TLSv1\.[23], certificate verified/);
    expect(stdout).toMatch(new RegExp(literally(`unix:${stack.AQ_PDP_SOCKET}`)));
    expect(code).toBe(0);
  });

  it('prints the same reports as JSON with --json', async () => {
    const { code, stdout } = await runDoctor(serverEnv(), { args: ['--json'] });
    const report = JSON.parse(stdout) as { ok: boolean; reports: Array<{ component: string; status: string }> };
    expect(report.ok).toBe(true);
    expect(report.reports.map((r) => [r.component, r.status])).toEqual([
      ['db', 'ok'],
      ['db', 'ok'],
      ['db', 'ok'],
      ['imap', 'ok'],
      ['pdp', 'ok'],
    ]);
    expect(code).toBe(0);
  });

  it('says so when AQ_PDP points at amavisd\u2019s SMTP port instead of an AM.PDP bank', async () => {
    const { code, stdout } = await runDoctor(serverEnv({ AQ_PDP: `tcp://127.0.0.1:${stack.AQ_SMTP_IN_PORT}` }));
    expect(stdout).toMatch(new RegExp(literally(`[FAIL] an SMTP server answered at tcp://127.0.0.1:${stack.AQ_SMTP_IN_PORT}, not an AM.PDP policy bank: "220 `)));
    expect(stdout).toMatch(/fix: AQ_PDP points at amavisd.s SMTP listener/);
    expect(code).toBe(1);
  });

  it('reports an unreachable IMAP server on a wrong port', async () => {
    const { code, stdout } = await runDoctor(serverEnv({ AQ_IMAP_PORT: '10149' }));
    expect(stdout).toMatch(/\[FAIL\] IMAP server \(sign-in\)/);
    expect(stdout).toMatch(/connection refused at 127\.0\.0\.1:10149: nothing listens there/);
    expect(code).toBe(1);
  });

  it('refuses an IMAP certificate from an unknown CA, and warns when verification is off', async () => {
    const noCa = await runDoctor(serverEnv({ AQ_IMAP_CA_FILE: '' }));
    expect(noCa.stdout).toMatch(/\[FAIL\] TLS with 127\.0\.0\.1:10143 failed: .*(certificate|self.signed)/i);
    expect(noCa.stdout).toMatch(/fix: the certificate was refused/);
    expect(noCa.code).toBe(1);

    const unverified = await runDoctor(serverEnv({ AQ_IMAP_CA_FILE: '', AQ_IMAP_TLS_VERIFY: 'false' }));
    expect(unverified.stdout).toMatch(/\[warn\] STARTTLS: TLSv1\.[23], certificate NOT verified/);
    expect(unverified.code).toBe(0);
  });

  it('reports implicit TLS spoken to a STARTTLS port', async () => {
    const { code, stdout } = await runDoctor(serverEnv({ AQ_IMAP_TLS: 'tls' }));
    expect(stdout).toMatch(/fix: that port does not speak implicit TLS: use AQ_IMAP_TLS=starttls/);
    expect(code).toBe(1);
  });

  it('reports permission denied on amavisd\u2019s unix socket for a user outside the amavis group', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test runs the doctor as `nobody` and needs root');
    const { code, stdout } = await runDoctor(serverEnv({ AQ_PDP: `unix:${stack.AQ_PDP_SOCKET}` }), { asUser: 'nobody' });
    expect(stdout).toMatch(new RegExp(literally(`[FAIL] permission denied on unix:${stack.AQ_PDP_SOCKET}`)));
    expect(stdout).toMatch(/fix: this process may not open amavisd.s socket/);
    expect(code).toBe(1);
  });

  it('exits 2 and lists every problem when the configuration is invalid', async () => {
    const { code, stderr } = await runDoctor({ AQ_PDP: 'localhost:9998' });
    expect(stderr).toMatch(/invalid configuration/);
    for (const key of ['AQ_DB_URL', 'AQ_IMAP_HOST', 'AQ_PDP must be tcp', 'AQ_SESSION_SECRET']) expect(stderr).toContain(key);
    expect(code).toBe(2);
  });

  it('tells a dropped connection (client outside inet_acl) from a refused one', async () => {
    // amavisd's AM.PDP bank allows 127.0.0.1 only: a request from 127.0.0.2 is dropped without a reply.
    const endpoint = parsePdpEndpoint(stack.AQ_PDP);
    if (!endpoint) throw new Error('bad AQ_PDP in stack.env');
    const [finding] = await checkPdp(createPdpClient({ endpoint, localAddress: '127.0.0.2' }));
    expect(finding?.status).toBe('fail');
    expect(finding?.message).toMatch(/(closed|reset) the connection without a reply/);
    expect(finding?.hint).toMatch(/inet_acl/);
  });

  describe('with amavisd stopped', () => {
    afterAll(() => stackCtl('start', 'amavisd'));

    it('reports connection refused for AM.PDP', async () => {
      await stackCtl('stop', 'amavisd');
      const { code, stdout } = await runDoctor(serverEnv());
      expect(stdout).toMatch(new RegExp(literally(`[FAIL] connection refused at ${stack.AQ_PDP}: nothing listens there`)));
      expect(stdout).toMatch(/fix: is amavisd running/);
      expect(stdout).toMatch(/4 ok, 0 with warnings, 1 failed/);
      expect(code).toBe(1);
    });
  });
});
