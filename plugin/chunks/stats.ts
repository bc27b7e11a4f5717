import { StatsView } from '../components/stats-view';
import { statsCss } from '../styles-screens';
import { chunks } from './loader';

/** The Statistics screen (its chart and tables), with its CSS. */
const stats = { StatsView, css: statsCss };
export type StatsChunk = typeof stats;
chunks.define('stats', stats);
