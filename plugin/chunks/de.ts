import { de } from '../i18n/de';
import { chunks } from './loader';

// The German strings, for German users only.
chunks.define('de', de);
