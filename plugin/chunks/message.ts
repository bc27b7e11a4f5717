import { MessageView } from '../components/message-view';
import { toolbarCss } from '../styles-toolbar';
import { chunks } from './loader';

/** A message opened from the list: headers, the why, the body, its toolbar (and its CSS), the sender tools and an admin's release. Preloaded once signed in. */
const message = { MessageView, css: toolbarCss };
export type MessageChunk = typeof message;
chunks.define('message', message);
