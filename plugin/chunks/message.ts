import { BulkMore } from '../components/bulk-more';
import { MessageView } from '../components/message-view';
import { addStrings } from '../i18n';
import { enMessage } from '../i18n/en-message';
import { toolbarCss } from '../styles-toolbar';
import { chunks } from './loader';

/** A message opened from the list: headers, the why, the body, its toolbar (and its CSS), the sender tools and an admin's release; and the list's "More" for selected messages, which shares the toolbar's menu. Preloaded once signed in. */
const message = { MessageView, BulkMore, css: toolbarCss };
export type MessageChunk = typeof message;
// Its English strings come with it (the main file has only its own), in place before it first renders.
addStrings(enMessage);
chunks.define('message', message);
