import { en, type Catalog } from '../i18n/en';
import { enAudit } from '../i18n/en-audit';
import { enMessage } from '../i18n/en-message';
import { enPolicy } from '../i18n/en-policy';
import { enRequests } from '../i18n/en-requests';
import { enSenders } from '../i18n/en-senders';
import { enStats } from '../i18n/en-stats';
import { enTargets } from '../i18n/en-targets';

/** The English parts: the main file's strings and each chunk's (en.ts says why they are split). */
export const ENGLISH_PARTS = { en, enMessage, enStats, enPolicy, enSenders, enRequests, enAudit, enTargets };

/** Every English string, as one catalog: what de.ts and fr.ts must translate. */
export const allEnglish: Catalog = Object.assign({}, ...Object.values(ENGLISH_PARTS)) as Catalog;
