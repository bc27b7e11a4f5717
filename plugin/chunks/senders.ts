import { SenderListsView } from '../components/sender-lists-view';
import { chunks } from './loader';

/** The Sender lists screen. */
const senders = { SenderListsView };
export type SendersChunk = typeof senders;
chunks.define('senders', senders);
