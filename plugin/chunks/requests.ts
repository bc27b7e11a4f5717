import { RequestsView } from '../components/requests-view';
import { requestsCss } from '../styles-screens';
import { chunks } from './loader';

/** An admin's Requests screen, with its CSS. */
const requests = { RequestsView, css: requestsCss };
export type RequestsChunk = typeof requests;
chunks.define('requests', requests);
