import type { LearnAs, LearnResult, NotSpamResponse, NotSpamStep } from '../../shared/learning';
import type { SessionUser } from '../../shared/session';
import type { AmavisStore } from '../amavis/store';
import { binaryText } from '../amavis/binary';
import type { SpamdClient } from '../clients/spamd';
import type { LearnLevel } from '../config/learning';
import type { AuditLog } from '../db/audit-log';
import { AppError } from '../errors';
import type { MessageService } from './messages';
import type { ReleaseService } from './release';
import type { SenderListService } from './sender-lists';

/** SpamAssassin learning ("Spam", "Not spam") of quarantined messages, through spamd's TELL. */
export interface LearningService {
  readonly enabled: boolean;
  learn(user: SessionUser, id: string, as: LearnAs): Promise<LearnResult>;
  /** Release to the user, learn as ham, allow the sender: every step is attempted and reported. */
  notSpam(user: SessionUser, id: string): Promise<NotSpamResponse>;
}

const UNAVAILABLE = () => new AppError(503, 'learning_unavailable', 'SpamAssassin learning is not set up on this server (AQ_SPAMD)');

export function createLearningService(deps: {
  spamd: SpamdClient | undefined;
  level: LearnLevel;
  amavis: Pick<AmavisStore, 'copies'>;
  messages: MessageService;
  release: ReleaseService;
  senderLists: SenderListService;
  audit: AuditLog;
}): LearningService {
  const { spamd, messages, audit } = deps;

  /** spamd's `User:` for the configured level: the store the message is learned into. */
  const storeUser = (recipient: string): string | undefined =>
    deps.level === 'user' ? recipient : deps.level === 'domain' ? recipient.slice(recipient.lastIndexOf('@') + 1) : undefined;

  async function learn(user: SessionUser, id: string, as: LearnAs): Promise<LearnResult> {
    if (!spamd) throw UNAVAILABLE();
    const { ref, row } = await messages.findAccessible(user, id);
    if (!(await deps.amavis.copies.hasText(ref))) throw new AppError(410, 'gone', 'the quarantined text of this message is gone: there is nothing to learn from');
    const recipient = binaryText(row.recipient).toLowerCase();
    const result = await spamd.learn(deps.amavis.copies.chunks(ref), as, { user: storeUser(recipient) });
    await audit.record({
      actor: user.email,
      action: 'learn',
      ref,
      recipient,
      result: result.outcome === 'failed' ? 'failed' : 'ok',
      detail: `${as}: ${result.outcome}${result.detail ? ` (${result.detail})` : ''}`.slice(0, 2000),
    });
    return { as, outcome: result.outcome, detail: result.detail };
  }

  return {
    enabled: spamd !== undefined,
    learn,

    async notSpam(user, id) {
      if (!spamd) throw UNAVAILABLE();
      // Refuses at once what the user may not see (404), before any step runs.
      await messages.findAccessible(user, id);
      const steps: NotSpamStep[] = [];
      const failure = (err: unknown) => (err instanceof AppError ? err.message : 'something went wrong on the server; the log has the details');
      let release: NotSpamResponse['release'];
      try {
        release = await deps.release.release(user, id);
        steps.push({ step: 'release', status: 'done', detail: release.alreadyReleased ? 'it had already been released' : 'released to your INBOX' });
      } catch (err) {
        if (err instanceof AppError && err.code === 'conflict' && /already been released/.test(err.message))
          steps.push({ step: 'release', status: 'skipped', detail: err.message });
        else steps.push({ step: 'release', status: 'failed', detail: failure(err) });
      }
      try {
        const learned = await learn(user, id, 'ham');
        steps.push({
          step: 'learn',
          status: learned.outcome === 'failed' ? 'failed' : 'done',
          detail: learned.outcome === 'already' ? 'already learned as not spam' : learned.detail || 'learned as not spam',
        });
      } catch (err) {
        steps.push({ step: 'learn', status: 'failed', detail: failure(err) });
      }
      try {
        const change = await deps.senderLists.fromMessage(user, id, 'allow', {});
        steps.push({ step: 'allow', status: 'done', detail: `${change.entry.sender} is allowed` });
      } catch (err) {
        steps.push({ step: 'allow', status: 'failed', detail: failure(err) });
      }
      return release ? { steps, release } : { steps };
    },
  };
}
