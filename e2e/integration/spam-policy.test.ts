import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { POLICY_FIELDS, type PolicyResponse, type PolicyUpdateResponse } from '../../shared/policy';
import type { QuarantineListResponse } from '../../shared/quarantine';
import { auditEntries, bodyOf, errorOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { inboxMessages, waitForInbox } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { TEST_DB } from '../support/stack';

const CLEAR = Object.fromEntries(POLICY_FIELDS.map((f) => [f, null]));

// Spam policy per user and domain in amavis's own policy table (issue #14). The proof is the next mail's
// fate: amavisd reads users/policy for every mail (@lookup_sql_dsn), so alice's spam_lover delivers GTUBE to her INBOX.
describe(`spam policy (${TEST_DB})`, () => {
  let server: TestServer;
  const sessions: Record<string, ApiSession> = {};
  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    for (const [name, user] of Object.entries(USERS)) sessions[name] = await signedIn(server.url, user.email, user.password);
  });
  afterAll(async () => {
    // Other tests send GTUBE to alice and expect it quarantined: leave nothing of ours in effect.
    if (sessions.super) {
      for (const target of ['alice@example.test', 'bob@example.test', '@example.test', 'carol@other.test'])
        await sessions.super.request('PUT', '/policy', { for: target, values: CLEAR });
    }
    await server?.close();
  });

  const get = async (who: string, target?: string) => {
    const res = await sessions[who]!.get(`/policy${target ? `?for=${encodeURIComponent(target)}` : ''}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return bodyOf<PolicyResponse>(res);
  };
  const put = (who: string, body: unknown) => sessions[who]!.request('PUT', '/policy', body);
  const counts = async () => {
    const [row] = await server.context.lookupSequelize.query<{ p: number | string; u: number | string }>(
      'SELECT (SELECT COUNT(*) FROM policy) AS p, (SELECT COUNT(*) FROM users) AS u',
      {
        type: QueryTypes.SELECT,
      },
    );
    return { policy: Number(row?.p), users: Number(row?.u) };
  };

  it('alice sets spam_lover: the next GTUBE reaches her INBOX, while bob’s copy is still quarantined', async () => {
    const res = await put('alice', { values: { spam_lover: 'Y' } });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await bodyOf<PolicyUpdateResponse>(res);
    expect(body.fields.spam_lover).toMatchObject({ value: true, source: 'own', own: true });
    expect(body.changed).toEqual([{ field: 'spam_lover', before: null, after: true }]);
    // The audit log says who changed what, from what to what.
    const [audited] = await auditEntries(sessions.super!, { actor: USERS.alice.email, action: 'policy' });
    expect(audited).toMatchObject({ actor: USERS.alice.email, action: 'policy', result: 'ok', detail: 'spam_lover: inherit → true' });
    expect(audited?.recipient).toContain(USERS.alice.email);

    const subject = `Spam lover ${Math.random().toString(36).slice(2)}`;
    const ids = await sendThroughAmavis(server.context, { to: [USERS.alice.email, USERS.bob.email], subject });
    expect(await waitForInbox(USERS.alice, 'Subject', subject, () => true, 30_000)).toHaveLength(1);
    // The same mail, same amavisd pass: bob's copy was blocked and quarantined, not delivered.
    expect(await inboxMessages(USERS.bob, 'Subject', subject)).toHaveLength(0);
    const bobs = await bodyOf<QuarantineListResponse>(await sessions.bob!.get(`/messages?q=${encodeURIComponent(subject)}`));
    expect(bobs.items.map((i) => i.id)).toEqual([ids[USERS.bob.email]]);

    // Cleared (null = inherit): GTUBE is quarantined for alice again.
    expect((await put('alice', { values: { spam_lover: null } })).status).toBe(200);
    expect((await get('alice')).fields.spam_lover.source).not.toBe('own');
    const again = `Spam lover cleared ${Math.random().toString(36).slice(2)}`;
    const againIds = await sendThroughAmavis(server.context, { to: [USERS.alice.email], subject: again });
    const alices = await bodyOf<QuarantineListResponse>(await sessions.alice!.get(`/messages?q=${encodeURIComponent(again)}`));
    expect(alices.items.map((i) => i.id)).toEqual([againIds[USERS.alice.email]]);
    expect(await inboxMessages(USERS.alice, 'Subject', again)).toHaveLength(0);
  });

  it('a level out of the admin’s range is a 400 naming the range, and nothing is written', async () => {
    const before = await get('alice');
    const rows = await counts();
    const res = await put('alice', { preset: 'relaxed', values: { spam_kill_level: 50 } });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain('between 3 and 20');
    expect(await get('alice')).toEqual(before);
    // carol has no users row yet: a refused change must not leave one behind either.
    expect((await put('carol', { values: { spam_tag2_level: 1 } })).status).toBe(400);
    expect(await counts()).toEqual(rows);
  });

  it('a user cannot change admin-only fields, nor anyone else’s policy', async () => {
    const rows = await counts();
    const bypass = await put('alice', { values: { bypass_spam_checks: true } });
    expect([bypass.status, (await errorOf(bypass)).code]).toEqual([403, 'forbidden']);
    const other = await put('bob', { for: USERS.alice.email, values: { spam_lover: true } });
    expect([other.status, (await errorOf(other)).code]).toEqual([403, 'forbidden']);
    expect((await sessions.bob!.get(`/policy?for=${encodeURIComponent(USERS.alice.email)}`)).status).toBe(403);
    expect((await put('alice', { for: '@example.test', values: { spam_lover: true } })).status).toBe(403);
    expect((await put('admin', { for: 'everyone', values: { spam_lover: true } })).status).toBe(403);
    expect(await counts()).toEqual(rows);
  });

  it('a domain admin sets @example.test: alice inherits it with source domain, carol@other.test does not', async () => {
    const res = await put('admin', { for: '@example.test', preset: 'relaxed' });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await bodyOf<PolicyUpdateResponse>(res)).fields.spam_kill_level).toMatchObject({ value: 12, source: 'own', key: '@example.test' });

    const alice = await get('alice');
    expect(alice.fields.spam_kill_level).toMatchObject({ value: 12, source: 'domain', key: '@example.test', own: null });
    expect(alice.fields.spam_tag2_level).toMatchObject({ value: 8, source: 'domain' });
    expect(alice.preset).toBe('relaxed');
    // A tag2 level above the kill level alice inherits (within her range though): a 400 naming both, nothing written.
    const above = await put('alice', { values: { spam_tag2_level: 15 } });
    expect(above.status).toBe(400);
    const refused = await errorOf(above);
    expect(refused.code).toBe('validation_failed');
    expect(refused.message).toContain('spam_tag2_level (15) must not be above spam_kill_level (12, from @example.test)');
    expect(await get('alice')).toEqual(alice);
    expect((await get('admin', USERS.alice.email)).fields.spam_kill_level).toMatchObject({ value: 12, source: 'domain', editable: true });
    const carol = await get('carol');
    expect(carol.fields.spam_kill_level.key).not.toBe('@example.test');
    expect(carol.preset).not.toBe('relaxed');

    // alice's own value beats the domain's; clearing it inherits again.
    expect((await put('alice', { values: { spam_kill_level: 15 } })).status).toBe(200);
    expect((await get('alice')).fields.spam_kill_level).toMatchObject({ value: 15, source: 'own' });
    expect((await put('alice', { values: { spam_kill_level: null } })).status).toBe(200);
    expect((await get('alice')).fields.spam_kill_level).toMatchObject({ value: 12, source: 'domain' });
    // The admin may set what users may not, on their domain's users.
    expect((await put('admin', { for: USERS.bob.email, values: { spam_kill_level: 50, bypass_banned_checks: false } })).status).toBe(200);
    expect((await put('admin', { for: '@example.test', values: { spam_tag2_level: null, spam_kill_level: null } })).status).toBe(200);
    expect((await get('alice')).fields.spam_kill_level.source).not.toBe('domain');
  });

  it('copy-on-write: a policy row another users row reads too is never changed, even one named as ours', async () => {
    const seq = server.context.lookupSequelize;
    const email = TEST_DB === 'postgres' ? "convert_to(:e, 'UTF8')" : ':e';
    const inherit = "(SELECT MIN(id) FROM policy WHERE policy_name = 'aq:inherit')";
    // The users rows exist (an admin write creates them); then both point at one row that bears bob's name.
    for (const who of [USERS.bob.email, USERS.carol.email]) expect((await put('super', { for: who, values: { spam_lover: false } })).status).toBe(200);
    await seq.query("INSERT INTO policy (policy_name, spam_tag2_level) VALUES ('aq:bob@example.test', 9)");
    const [shared] = await seq.query<{ id: number }>("SELECT MAX(id) AS id FROM policy WHERE policy_name = 'aq:bob@example.test'", { type: QueryTypes.SELECT });
    for (const e of [USERS.bob.email, USERS.carol.email])
      await seq.query(`UPDATE users SET policy_id = :id WHERE email = ${email}`, { replacements: { id: shared!.id, e } });
    expect((await get('carol')).fields.spam_tag2_level).toMatchObject({ value: 9, source: 'own' });

    expect((await put('bob', { values: { spam_kill_level: 10 } })).status).toBe(200);
    const [row] = await seq.query<{ k: number | null; t2: number }>('SELECT spam_kill_level AS k, spam_tag2_level AS t2 FROM policy WHERE id = :id', {
      type: QueryTypes.SELECT,
      replacements: { id: shared!.id },
    });
    expect([row?.k, Number(row?.t2)]).toEqual([null, 9]);
    // bob's copy keeps the shared row's values and adds his own; carol still reads the shared row unchanged.
    expect((await get('bob')).fields).toMatchObject({ spam_tag2_level: { value: 9, source: 'own' }, spam_kill_level: { value: 10, source: 'own' } });
    expect((await get('carol')).fields.spam_kill_level.value).toBeNull();
    await seq.query(`UPDATE users SET policy_id = ${inherit} WHERE policy_id = :id`, { replacements: { id: shared!.id } });
    // Rows named as bob's or carol's that nobody reads any more (the shared one, the ones they owned before).
    await seq.query("DELETE FROM policy WHERE policy_name IN ('aq:bob@example.test', 'aq:carol@other.test') AND id NOT IN (SELECT policy_id FROM users)");
  });
});
