import { RequestsView } from '../components/requests-view';
import { addStrings } from '../i18n';
import { enRequests } from '../i18n/en-requests';
import { requestsCss } from '../styles-screens';
import { chunks } from './loader';

/** An admin's Requests screen, with its CSS. */
const requests = { RequestsView, css: requestsCss };
export type RequestsChunk = typeof requests;
// Its English strings come with it (the main file has only its own), in place before it first renders.
addStrings(enRequests);
chunks.define('requests', requests);
