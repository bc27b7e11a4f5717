import { addStrings } from '../i18n';
import { allEnglish } from './english';

// Unit tests render a chunk's components without loading the chunk, whose module adds their strings.
addStrings(allEnglish);
