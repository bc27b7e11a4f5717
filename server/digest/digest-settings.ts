import { Op } from 'sequelize';
import type { DigestFrequency, DigestLanguage, DigestLevel, DigestSettings, DigestSettingsUpdate, DigestTarget } from '../../shared/digest';
import type { SessionUser } from '../../shared/session';
import type { DigestModels } from '../db/digest-models';
import { AppError } from '../errors';

/** Digest frequencies per user, domain and site, and each user's language (GET/PUT /api/digest-settings). */
export interface DigestSettingsService {
  get(user: SessionUser, target?: string): Promise<DigestSettings>;
  update(user: SessionUser, update: DigestSettingsUpdate): Promise<DigestSettings>;
  /** The effective frequency and language of each address (digest recipients), in two queries. */
  effective(addresses: readonly string[]): Promise<Map<string, { frequency: DigestFrequency; language: DigestLanguage }>>;
}

type Level = DigestLevel['source'];
const SITE = '*';
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();
const DOMAIN = /^(?=.{1,253}$)[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/** Reads `for` and checks that the user may see and change that level: their own, their domains' (admins), the site's (super users). */
export function targetOf(user: SessionUser, value: string | undefined): DigestTarget {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'me' || v === 'user') return { kind: 'user' };
  if (v === 'site') {
    if (user.role !== 'super') throw new AppError(403, 'forbidden', 'only super users set the site’s digest default');
    return { kind: 'site' };
  }
  const m = /^domain:(.+)$/.exec(v);
  if (!m?.[1] || !DOMAIN.test(m[1])) throw new AppError(400, 'validation_failed', `"${value}" is not a digest target: use me, domain:example.org or site`);
  const domain = m[1];
  if (!(user.role === 'super' || (user.role === 'domain_admin' && user.domains.includes(domain)))) {
    throw new AppError(403, 'forbidden', `you do not administer ${domain}`);
  }
  return { kind: 'domain', domain };
}

/** The levels a target inherits from, most specific first. */
function levelsOf(user: SessionUser, target: DigestTarget): Array<{ level: Level; key: string }> {
  const site = { level: 'site' as const, key: SITE };
  if (target.kind === 'site') return [site];
  if (target.kind === 'domain') return [{ level: 'domain', key: target.domain }, site];
  return [{ level: 'user', key: user.email.toLowerCase() }, { level: 'domain', key: domainOf(user.email) }, site];
}

/** Creates the settings service over aq_digest_settings; `defaultFrequency` is AQ_DIGEST_DEFAULT. */
export function createDigestSettingsService(deps: { models: DigestModels; defaultFrequency: DigestFrequency; now?: () => Date }): DigestSettingsService {
  const { Setting, User } = deps.models;
  const now = deps.now ?? (() => new Date());

  async function read(user: SessionUser, target: DigestTarget): Promise<DigestSettings> {
    const levels = levelsOf(user, target);
    const rows = await Setting.findAll({ where: { [Op.or]: levels.map((l) => ({ level: l.level, key: l.key })) } });
    const rowOf = (l: { level: Level; key: string }) => rows.find((r) => r.level === l.level && r.key === l.key);
    const shown: DigestLevel[] = levels.map((l) => ({ source: l.level, key: l.key, frequency: (rowOf(l)?.frequency as DigestFrequency | null | undefined) ?? null }));
    const first = shown.find((l) => l.frequency !== null);
    const settings: DigestSettings = {
      target,
      frequency: first?.frequency ?? deps.defaultFrequency,
      source: first?.source ?? 'default',
      levels: shown,
      editable: true,
    };
    if (target.kind === 'user') {
      const own = levels[0] ? rowOf(levels[0]) : undefined;
      settings.language = (own?.language as DigestLanguage | null | undefined) ?? 'en';
      const sent = await User.findByPk(user.email.toLowerCase());
      if (sent?.last_sent_at) settings.lastSentAt = new Date(sent.last_sent_at).toISOString();
    }
    return settings;
  }

  return {
    get: (user, value) => read(user, targetOf(user, value)),

    async update(user, update) {
      const target = targetOf(user, update.for);
      const [level] = levelsOf(user, target);
      if (!level) throw new AppError(400, 'validation_failed', 'no such digest target');
      const existing = await Setting.findOne({ where: { level: level.level, key: level.key } });
      const language = target.kind === 'user' ? (update.language ?? existing?.language ?? null) : null;
      // A row that sets nothing any more goes: the level inherits again.
      if (update.frequency === null && language === null) await Setting.destroy({ where: { level: level.level, key: level.key } });
      else await Setting.upsert({ level: level.level, key: level.key, frequency: update.frequency, language, updated_at: now(), updated_by: user.email });
      return read(user, target);
    },

    async effective(addresses) {
      const keys = [...new Set(addresses.map((a) => a.toLowerCase()))];
      const out = new Map<string, { frequency: DigestFrequency; language: DigestLanguage }>();
      if (keys.length === 0) return out;
      const domains = [...new Set(keys.map(domainOf))];
      const rows = await Setting.findAll({
        where: {
          [Op.or]: [
            { level: 'user', key: keys },
            { level: 'domain', key: domains },
            { level: 'site', key: SITE },
          ],
        },
      });
      const find = (level: Level, key: string) => rows.find((r) => r.level === level && r.key === key);
      const site = find('site', SITE)?.frequency as DigestFrequency | null | undefined;
      for (const key of keys) {
        const own = find('user', key);
        const frequency = ((own?.frequency ?? find('domain', domainOf(key))?.frequency ?? site) as DigestFrequency | null | undefined) ?? deps.defaultFrequency;
        out.set(key, { frequency, language: (own?.language as DigestLanguage | null | undefined) ?? 'en' });
      }
      return out;
    },
  };
}
