import { RequestsView } from '../components/requests-view';
import { chunks } from './loader';

/** An admin's Requests screen. */
const requests = { RequestsView };
export type RequestsChunk = typeof requests;
chunks.define('requests', requests);
