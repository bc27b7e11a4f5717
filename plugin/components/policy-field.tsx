import type { PolicyField, PolicyFieldView, PolicyResponse, PolicyTarget } from '../../shared/policy';
import { useI18n, type I18n } from '../i18n';

/** Where a value comes from, in plain words: set by you (or for this target), a domain, everyone, or amavisd.conf. */
export const sourceText = (view: PolicyFieldView, target: PolicyTarget, t: I18n['t']): string =>
  view.source === 'default'
    ? t('src_default')
    : view.source === 'own' && target.kind === 'me'
      ? t('src_own')
      : view.key === '@.'
        ? t('src_everyone')
        : t('src_from', { key: (view.key ?? '').replace(/^@\.?/, '') });

/**
 * One policy field: its label, its value (a checkbox for a flag, a number for a level, text for a
 * quarantine destination), where the value comes from, and "Inherit" when the target sets it itself.
 */
export function PolicyFieldRow({
  field,
  view,
  policy,
  value,
  busy,
  onEdit,
  onInherit,
}: {
  field: PolicyField;
  view: PolicyFieldView;
  policy: PolicyResponse;
  value: string | boolean;
  busy: boolean;
  onEdit: (value: string | boolean) => void;
  onInherit: () => void;
}) {
  const { t } = useI18n();
  const id = `aq-p-${field}`;
  const label = t(`p_${field}`);
  const level = field.endsWith('_level');
  // Plain users are held to the range for the two levels that decide a mail's fate; the server checks it again.
  const bound = policy.limits.levelsLimited && field !== 'spam_tag_level';
  const common = { id, disabled: !view.editable || busy, 'aria-describedby': `${id}-src` };
  return (
    <div class="aq-pfield" data-aq-field={field}>
      {typeof value === 'boolean' ? (
        <label class="aq-check aq-pfield__label">
          <input type="checkbox" {...common} checked={value} onChange={(e) => onEdit(e.currentTarget.checked)} />
          {label}
        </label>
      ) : (
        <>
          <label class="aq-pfield__label" for={id}>
            {label}
          </label>
          <input
            class="aq-input"
            {...common}
            {...(level
              ? { type: 'number' as const, step: 'any', min: bound ? policy.limits.minLevel : undefined, max: bound ? policy.limits.maxLevel : undefined }
              : { type: 'text' as const })}
            value={value}
            onInput={(e) => onEdit(e.currentTarget.value)}
          />
        </>
      )}
      <span id={`${id}-src`} class="aq-muted aq-pfield__src">
        {sourceText(view, policy.for, t)}
      </span>
      {view.editable && view.own !== null && (
        <button type="button" class="aq-btn aq-btn--small" aria-label={`${t('inherit')}: ${label}`} disabled={busy} onClick={onInherit}>
          {t('inherit')}
        </button>
      )}
    </div>
  );
}
