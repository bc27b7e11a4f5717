import { SpamPolicyView } from '../components/spam-policy-view';
import { policyCss } from '../styles-screens';
import { chunks } from './loader';

/** The Spam filter screen, with its digest section and its CSS. */
const policy = { SpamPolicyView, css: policyCss };
export type PolicyChunk = typeof policy;
chunks.define('policy', policy);
