import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessageRef, type MessageRef } from '../../server/amavis/message-ref';
import { RS_TRANSITIONS, type RsTransition } from '../../server/amavis/rs';
import { amavisModels } from '../support/amavis-models';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { ROLE_ENV } from '../support/api-client';

// The one writer of msgrcpt.rs, against the real database (MariaDB or PostgreSQL), on a copy amavisd stored: every transition from
// every state. The state is set by hand (it is the test's setup); what is tested is the writer's answer
// and the row it leaves.
describe('the guarded rs writer', () => {
  let server: TestServer;
  let ref: MessageRef;

  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    const ids = await sendThroughAmavis(server.context, { to: ['alice@example.test'], subject: `rs matrix ${Math.random().toString(36).slice(2)}` });
    ref = decodeMessageRef(Object.values(ids)[0]!)!;
  });
  afterAll(() => server.close());

  const where = () => ({ partition_tag: ref.partitionTag, mail_id: ref.mailId, rseqnum: ref.rseqnum });
  const setRs = (rs: string) => amavisModels(server.context).Msgrcpt.update({ rs }, { where: where() });
  const rsNow = async () => (await amavisModels(server.context).Msgrcpt.findOne({ where: where() }))?.rs;

  // '' is what amavisd writes; v is MailZu's "viewed"; the rest are the letters quarantine managers share.
  const states = ['', 'V', 'v', 'p', 'R', 'D'];
  const expected: Record<RsTransition, Record<string, string | null>> = {
    view: { '': 'V', V: null, v: null, p: null, R: null, D: null },
    request: { '': 'p', V: 'p', v: 'p', p: null, R: null, D: null },
    withdraw: { '': null, V: null, v: null, p: 'V', R: null, D: null },
    release: { '': 'R', V: 'R', v: 'R', p: 'R', R: null, D: null },
    approve: { '': null, V: null, v: null, p: 'R', R: null, D: null },
    delete: { '': 'D', V: 'D', v: 'D', p: 'D', R: 'D', D: null },
  };

  for (const transition of Object.keys(RS_TRANSITIONS) as RsTransition[]) {
    it(`${transition}: changes exactly the states it allows, and refuses the others untouched`, async () => {
      const seen: Record<string, string | null> = {};
      for (const from of states) {
        await setRs(from);
        const changed = await server.context.amavis.rs.apply(ref, transition, { previous: 'V' });
        const after = await rsNow();
        seen[from] = changed ? (after ?? '?') : null;
        // A refused transition leaves the row as it was.
        if (!changed) expect(after, `${transition} from '${from}'`).toBe(from);
      }
      expect(seen).toEqual(expected[transition]);
    });
  }

  it('changes nothing for a copy that does not exist', async () => {
    expect(await server.context.amavis.rs.apply({ ...ref, rseqnum: 99 }, 'delete')).toBe(false);
  });
});
