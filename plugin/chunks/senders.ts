import { SenderListsView } from '../components/sender-lists-view';
import { addStrings } from '../i18n';
import { enSenders } from '../i18n/en-senders';
import { enTargets } from '../i18n/en-targets';
import { chunks } from './loader';

/** The Sender lists screen. */
const senders = { SenderListsView };
export type SendersChunk = typeof senders;
// Its English strings come with it (the main file has only its own), in place before it first renders.
addStrings(enSenders, enTargets);
chunks.define('senders', senders);
