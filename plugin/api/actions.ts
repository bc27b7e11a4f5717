import type { MessageKey } from '../i18n/en';
import type { ApiClient } from './client';

export type MessageAction = 'release' | 'delete' | 'request';

/** Runs one action on one message and returns the key of the success message to show. */
export async function runAction(client: ApiClient, action: MessageAction, id: string): Promise<MessageKey> {
  if (action === 'release') return (await client.release(id)).alreadyReleased ? 'alreadyReleased' : 'released';
  if (action === 'delete') {
    await client.remove(id);
    return 'deleted';
  }
  await client.requestRelease(id);
  return 'requested';
}
