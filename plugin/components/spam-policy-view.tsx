import { useEffect, useRef } from 'preact/hooks';
import { POLICY_FIELDS, POLICY_FLAG_FIELDS, POLICY_PRESETS, USER_EDITABLE_FIELDS, type PolicyField, type PolicyPreset } from '../../shared/policy';
import type { SessionUser } from '../../shared/session';
import type { ApiClient } from '../api/client';
import { useSpamPolicy } from '../hooks/use-spam-policy';
import { useI18n } from '../i18n';
import { DigestSection } from './digest-section';
import { PolicyFieldRow } from './policy-field';
import { ownersOf } from '../api/owners';
import { TargetPicker } from './target-picker';

/**
 * The spam filter: the policy amavisd applies, field by field with where each value comes from, a preset
 * for the two levels that decide a mail's fate, and for admins whom it is for. The server says what the
 * user may change; fields only admins may change are shown to them alone. Below it, when the server sends
 * digests, how often the same target gets one.
 */
export function SpamPolicyView({ client, user, digest }: { client: ApiClient; user: SessionUser; digest?: boolean }) {
  const { t } = useI18n();
  const { target, setTarget, policy, draft, edit, outcome, busy, save } = useSpamPolicy(client);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const owners = ownersOf(user);

  // A refusal takes the focus, so that it is read out, and the fix is one Shift+Tab away.
  useEffect(() => {
    if (outcome?.kind === 'error') errorRef.current?.focus();
  }, [outcome]);

  const valueOf = (f: PolicyField): string | boolean => {
    const v = draft[f] ?? policy?.fields[f].value ?? null;
    return (POLICY_FLAG_FIELDS as readonly string[]).includes(f) ? v === true : v === null ? '' : String(v);
  };
  const preset = policy
    ? (POLICY_PRESETS.find(
        (p) => Number(valueOf('spam_tag2_level')) === policy.presets[p].spam_tag2_level && Number(valueOf('spam_kill_level')) === policy.presets[p].spam_kill_level,
      ) ?? null)
    : null;
  const shown = policy ? POLICY_FIELDS.filter((f) => policy.fields[f].editable || USER_EDITABLE_FIELDS.includes(f)) : [];
  const presetsEditable = policy?.fields.spam_tag2_level.editable && policy.fields.spam_kill_level.editable;

  return (
    <section class="aq-policy" aria-label={t('spamFilter')} aria-busy={!policy}>
      {(owners.length > 1 || user.role === 'super') && (
        <div class="aq-toolbar">
          <TargetPicker
            value={target}
            options={owners}
            label={(o) => (o === 'me' ? t('you') : o === 'everyone' ? t('everyone') : o)}
            onChange={setTarget}
            anyDomain={user.role === 'super'}
            domainValue={(d) => `@${d}`}
          />
        </div>
      )}
      {!policy ? (
        !outcome && <p class="aq-muted">{t('loading')}</p>
      ) : (
        <form
          aria-label={t('spamFilter')}
          onSubmit={(e) => {
            e.preventDefault();
            void save(preset);
          }}
        >
          {!policy.limits.editable && <p class="aq-muted">{t('readOnly')}</p>}
          {presetsEditable && (
            <fieldset class="aq-presets">
              <legend class="aq-h4">{t('preset')}</legend>
              {POLICY_PRESETS.map((p: PolicyPreset) => (
                <label key={p} class="aq-check">
                  <input
                    type="radio"
                    name="aq-preset"
                    value={p}
                    checked={preset === p}
                    disabled={busy}
                    onChange={() => edit({ spam_tag2_level: String(policy.presets[p].spam_tag2_level), spam_kill_level: String(policy.presets[p].spam_kill_level) })}
                  />
                  {t(`pr_${p}`)}
                </label>
              ))}
            </fieldset>
          )}
          {shown.map((f) => (
            <PolicyFieldRow
              key={f}
              field={f}
              view={policy.fields[f]}
              policy={policy}
              value={valueOf(f)}
              busy={busy}
              onEdit={(v) => edit({ [f]: v })}
              onInherit={() => void save(null, [f])}
            />
          ))}
          {policy.limits.editable && (
            <div class="aq-toolbar aq-policy__save">
              <button type="submit" class="aq-btn aq-btn--primary" disabled={busy || !Object.keys(draft).length}>
                {t('save')}
              </button>
              <span role="status" class="aq-policy__saved">
                {outcome?.kind === 'success' ? outcome.text : ''}
              </span>
            </div>
          )}
        </form>
      )}
      <p ref={errorRef} class="aq-error" role="alert" tabIndex={-1}>
        {outcome?.kind === 'error' ? outcome.text : ''}
      </p>
      {/* The digest frequency of the same target: one "For" choice sets both. */}
      {digest && <DigestSection client={client} target={target} />}
    </section>
  );
}
