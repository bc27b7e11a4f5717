import { MessageView } from '../components/message-view';
import { chunks } from './loader';

/** A message opened from the list: headers, the why, the body, actions, sender tools and an admin's release. Preloaded once signed in. */
const message = { MessageView };
export type MessageChunk = typeof message;
chunks.define('message', message);
