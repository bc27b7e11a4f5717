import { useState } from 'preact/hooks';
import { DIGEST_FREQUENCIES, type DigestFrequency, type DigestSettings } from '../../shared/digest';
import type { ApiClient } from '../api/client';
import { useDigest } from '../hooks/use-digest';
import { useI18n } from '../i18n';

/** This target's own level: the user's, the domain's or the site's value (null: it inherits). */
const ownOf = (s: DigestSettings): DigestFrequency | null =>
  s.levels.find((l) => l.source === (s.target.kind === 'site' ? 'site' : s.target.kind) && (s.target.kind !== 'domain' || l.key === s.target.domain))?.frequency ?? null;

/**
 * The digest of newly quarantined mail: how often it comes (off, every 4 hours, daily, weekly, or what
 * the domain or site sets), where the current value comes from, and for admins the defaults of their
 * domains and the site (the spam filter's "For" choice). Nothing shows when the server has no digests.
 */
export function DigestSection({ client, target }: { client: ApiClient; target: string }) {
  const { t, dateTime } = useI18n();
  const { settings, absent, outcome, busy, save } = useDigest(client, target);
  // An edit belongs to the settings it was made on: a reload or a save (a new object) shows the saved value again.
  const [edit, setEdit] = useState<{ on: DigestSettings; value: DigestFrequency | 'inherit' } | null>(null);
  const saved = settings ? (ownOf(settings) ?? 'inherit') : 'inherit';
  const choice = edit && edit.on === settings ? edit.value : saved;
  if (absent) return null;
  const from = settings?.source;
  const source =
    from === 'default'
      ? t('src_default')
      : from === 'user'
        ? t('src_own')
        : from === 'site'
          ? t('src_everyone')
          : t('src_from', { key: settings?.levels.find((l) => l.source === 'domain')?.key ?? '' });

  return (
    <form
      class="aq-digest"
      aria-labelledby="aq-digest-h"
      onSubmit={(e) => {
        e.preventDefault();
        void save(choice === 'inherit' ? null : choice);
      }}
    >
      <h3 class="aq-h4" id="aq-digest-h">
        {t('digest')}
      </h3>
      {!settings ? (
        !outcome && <p class="aq-muted">{t('loading')}</p>
      ) : (
        <>
          <p class="aq-muted">
            {t('digestNow', { frequency: t(`df_${settings.frequency}`), source })}
            {settings.lastSentAt ? ` ${t('digestLast', { time: dateTime(settings.lastSentAt) })}` : ''}
          </p>
          {!settings.editable && <p class="aq-muted">{t('readOnly')}</p>}
          <fieldset class="aq-presets">
            <legend class="aq-sr">{t('digest')}</legend>
            {[...DIGEST_FREQUENCIES, 'inherit' as const].map((f) => (
              <label key={f} class="aq-check">
                <input
                  type="radio"
                  name="aq-digest"
                  value={f}
                  checked={choice === f}
                  disabled={busy || !settings.editable}
                  onChange={() => settings && setEdit({ on: settings, value: f })}
                />
                {t(`df_${f}`)}
              </label>
            ))}
          </fieldset>
          {settings.editable && (
            <div class="aq-toolbar aq-policy__save">
              <button type="submit" class="aq-btn aq-btn--primary" disabled={busy || choice === saved}>
                {t('save')}
              </button>
              <span role="status" class="aq-policy__saved">
                {outcome?.kind === 'success' ? outcome.text : ''}
              </span>
            </div>
          )}
        </>
      )}
      <p class="aq-error" role="alert">
        {outcome?.kind === 'error' ? outcome.text : ''}
      </p>
    </form>
  );
}
