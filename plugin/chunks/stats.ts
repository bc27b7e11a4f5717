import { StatsView } from '../components/stats-view';
import { addStrings } from '../i18n';
import { enStats } from '../i18n/en-stats';
import { enTargets } from '../i18n/en-targets';
import { statsCss } from '../styles-screens';
import { chunks } from './loader';

/** The Statistics screen (its chart and tables), with its CSS. */
const stats = { StatsView, css: statsCss };
export type StatsChunk = typeof stats;
// Its English strings come with it (the main file has only its own), in place before it first renders.
addStrings(enStats, enTargets);
chunks.define('stats', stats);
