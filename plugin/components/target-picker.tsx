import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';

const OTHER = '\u0000other';
// A host name as amavis keys domains: labels of letters, digits and hyphens, at least one dot.
const DOMAIN = /^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i;

/**
 * "For": whose statistics or policy a screen shows. `options` are the values the session may pick (its own,
 * its domains, everyone); `label` names each. A super user administers every domain but has none listed,
 * so `anyDomain` adds "Another domain…", which asks for one: `domainValue` turns the name typed into the
 * value the screen uses (`example.org` or `@example.org`). The server still decides what may be read.
 */
export function TargetPicker({
  value,
  options,
  label,
  onChange,
  anyDomain = false,
  domainValue,
}: {
  value: string;
  options: string[];
  label: (option: string) => string;
  onChange: (value: string) => void;
  anyDomain?: boolean;
  domainValue: (domain: string) => string;
}) {
  const { t } = useI18n();
  // Domains picked this way stay offered, so that going back to one takes no typing.
  const [added, setAdded] = useState<string[]>([]);
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState('');
  const all = [...options, ...added.filter((a) => !options.includes(a))];
  if (all.length < 2 && !anyDomain) return null;

  const submit = (e: Event) => {
    e.preventDefault();
    const field = new FormData(e.currentTarget as HTMLFormElement).get('domain');
    const typed = (typeof field === 'string' ? field : '').trim().replace(/^@/, '').toLowerCase();
    if (!DOMAIN.test(typed)) return setError(t('domainInvalid'));
    const picked = domainValue(typed);
    setAdded((a) => (a.includes(picked) ? a : [...a, picked]));
    setAsking(false);
    setError('');
    onChange(picked);
  };

  return (
    <>
      <label class="aq-check">
        {t('forWhom')}
        <select
          class="aq-input"
          value={asking ? OTHER : value}
          onChange={(e) => {
            const picked = e.currentTarget.value;
            setAsking(picked === OTHER);
            if (picked !== OTHER) onChange(picked);
          }}
        >
          {all.map((o) => (
            <option key={o} value={o}>
              {label(o)}
            </option>
          ))}
          {anyDomain && <option value={OTHER}>{t('otherDomain')}</option>}
        </select>
      </label>
      {asking && (
        <form class="aq-decide" onSubmit={submit}>
          <input
            name="domain"
            class="aq-input"
            aria-label={t('domain')}
            placeholder="example.org"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'aq-domain-error' : undefined}
            ref={(input) => input?.focus()}
          />
          <button type="submit" class="aq-btn">
            {t('show')}
          </button>
          {error && (
            <span id="aq-domain-error" class="aq-error" role="alert">
              {error}
            </span>
          )}
        </form>
      )}
    </>
  );
}
