import { SpamPolicyView } from '../components/spam-policy-view';
import { addStrings } from '../i18n';
import { enPolicy } from '../i18n/en-policy';
import { enSenders } from '../i18n/en-senders';
import { enTargets } from '../i18n/en-targets';
import { policyCss } from '../styles-screens';
import { chunks } from './loader';

/** The Spam filter screen, with its digest section and its CSS. */
const policy = { SpamPolicyView, css: policyCss };
export type PolicyChunk = typeof policy;
// Its English strings come with it (the main file has only its own), in place before it first renders.
addStrings(enPolicy, enSenders, enTargets);
chunks.define('policy', policy);
