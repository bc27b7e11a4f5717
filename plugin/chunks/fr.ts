import { fr } from '../i18n/fr';
import { chunks } from './loader';

// The French strings, for French users only.
chunks.define('fr', fr);
