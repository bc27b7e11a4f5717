import { useEffect, useState } from 'preact/hooks';
import type { PolicyField, PolicyPreset, PolicyResponse, PolicyValue } from '../../shared/policy';
import { errorText } from '../api/actions';
import type { ApiClient } from '../api/client';
import { useI18n } from '../i18n';

/** Unsaved edits, field by field; numbers stay text while typed, so "6." is not rewritten to "6". */
export type PolicyDraft = Partial<Record<PolicyField, string | boolean>>;

/** What the last save or load said: the success line, or the server's refusal in its words. */
export interface PolicyOutcome {
  kind: 'success' | 'error';
  text: string;
}

/** The draft as the API wants it: levels as numbers, and null (inherit) for the fields in `clear`. */
const valuesOf = (draft: PolicyDraft, clear: PolicyField[]): Partial<Record<PolicyField, PolicyValue | null>> => ({
  ...Object.fromEntries(Object.entries(draft).map(([f, v]) => [f, f.endsWith('_level') ? Number(v) : v])),
  ...Object.fromEntries(clear.map((f) => [f, null])),
});

/**
 * The spam policy of one target (`me`, an @domain, `everyone`), its unsaved draft, and saving it. A save
 * answers the new effective policy, which replaces the shown one; the saved fields leave the draft.
 */
export function useSpamPolicy(client: ApiClient) {
  const { t } = useI18n();
  const [target, setTarget] = useState('me');
  const [policy, setPolicy] = useState<PolicyResponse | null>(null);
  const [draft, setDraft] = useState<PolicyDraft>({});
  const [outcome, setOutcome] = useState<PolicyOutcome | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // A slow answer for the target picked before must not show under the one picked now.
    let current = true;
    setPolicy(null);
    setDraft({});
    setOutcome(null);
    client.policy(target === 'me' ? undefined : target).then(
      (p) => current && setPolicy(p),
      (err: unknown) => current && setOutcome({ kind: 'error', text: errorText(err, t) }),
    );
    return () => {
      current = false;
    };
  }, [client, target, t]);

  /** Saves the draft (with the preset it matches) and clears the `clear` fields, so they inherit. */
  const save = async (preset: PolicyPreset | null, clear: PolicyField[] = []) => {
    setBusy(true);
    const saving = clear.length ? {} : draft;
    try {
      const next = await client.savePolicy({
        ...(target === 'me' ? {} : { for: target }),
        ...(preset && !clear.length ? { preset } : {}),
        values: valuesOf(saving, clear),
      });
      setPolicy(next);
      setDraft((d) => Object.fromEntries(Object.entries(d).filter(([f]) => !(f in saving) && !clear.includes(f as PolicyField))));
      setOutcome({ kind: 'success', text: t('saved') });
    } catch (err) {
      setOutcome({ kind: 'error', text: errorText(err, t) });
    } finally {
      setBusy(false);
    }
  };

  const edit = (values: PolicyDraft) => {
    setDraft((d) => ({ ...d, ...values }));
    setOutcome(null);
  };

  return { target, setTarget, policy, draft, edit, outcome, busy, save };
}
