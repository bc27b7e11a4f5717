import { useEffect, useState } from 'preact/hooks';
import type { SessionResponse } from '../../shared/session';
import { errorText } from '../api/actions';
import type { ApiClient } from '../api/client';
import { useI18n } from '../i18n';

/**
 * Sign-in with the mail password; says plainly what went wrong (wrong password, server down, throttled).
 * `username` prefills the address (the webmail's user).
 */
export function SignIn({
  client,
  expired,
  username,
  onSignedIn,
}: {
  client: ApiClient;
  expired: boolean;
  username?: string | undefined;
  onSignedIn: (session: SessionResponse) => void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [degraded, setDegraded] = useState(false);

  useEffect(() => {
    client.health().then(
      (h) => setDegraded(h.status !== 'ok'),
      () => setDegraded(true),
    );
  }, [client]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await client.signIn((data.get('username') as string | null) ?? '', (data.get('password') as string | null) ?? ''));
    } catch (err) {
      // Each code says what went wrong (wrong password, mail server down, too many attempts), in the user's language.
      setError(errorText(err, t));
      form.querySelector<HTMLInputElement>('input[name="password"]')?.select();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="aq-signin" onSubmit={(e) => void submit(e)} aria-busy={busy} aria-describedby="aq-signin-error">
      <h3 class="aq-h3">{t('signInTitle')}</h3>
      {expired && (
        <p class="aq-status aq-status--info" role="status">
          {t('expired')}
        </p>
      )}
      {degraded && (
        <p class="aq-status aq-status--error" role="status">
          {t('error')}
        </p>
      )}
      <label class="aq-field">
        <span>{t('email')}</span>
        <input name="username" type="text" autocomplete="username" required autofocus disabled={busy} defaultValue={username} />
      </label>
      <label class="aq-field">
        <span>{t('password')}</span>
        <input name="password" type="password" autocomplete="current-password" required disabled={busy} />
      </label>
      <p id="aq-signin-error" class="aq-error" role="alert">
        {error}
      </p>
      <button type="submit" class="aq-btn aq-btn--primary" disabled={busy}>
        {busy ? t('signingIn') : t('signIn')}
      </button>
    </form>
  );
}
