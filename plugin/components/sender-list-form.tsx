import { useState } from 'preact/hooks';
import type { SenderListChange, SenderListName } from '../../shared/sender-lists';
import type { SessionUser } from '../../shared/session';
import { errorText } from '../api/actions';
import type { ApiClient } from '../api/client';
import { ownersOf } from '../api/owners';
import { useI18n } from '../i18n';

/**
 * Adds a sender to the allow or block list: the sender, which list, and for admins whom it is for. The
 * server's refusal (not an address, not a domain they administer) is shown under the form, in its words.
 */
export function SenderListForm({ client, user, onAdded }: { client: ApiClient; user: SessionUser; onAdded: (change: SenderListChange) => void }) {
  const { t } = useI18n();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const owners = ownersOf(user);

  const submit = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const owner = (data.get('for') as string | null) ?? 'me';
    setBusy(true);
    try {
      const change = await client.addSenderList({
        sender: data.get('sender') as string,
        list: data.get('list') as SenderListName,
        ...(owner === 'me' ? {} : { for: owner }),
      });
      setError('');
      form.reset();
      onAdded(change);
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="aq-toolbar aq-add"
      aria-label={t('add')}
      onSubmit={(e) => {
        e.preventDefault();
        void submit(e.currentTarget);
      }}
    >
      <input
        class="aq-input aq-search"
        name="sender"
        required
        aria-label={t('sender')}
        placeholder={t('senderHint')}
        aria-invalid={error ? true : undefined}
        aria-describedby="aq-add-error"
      />
      <select class="aq-input" name="list" aria-label={t('list')}>
        <option value="allow">{t('l_allow')}</option>
        <option value="block">{t('l_block')}</option>
      </select>
      {owners.length > 1 && (
        <select class="aq-input" name="for" aria-label={t('forWhom')}>
          {owners.map((o) => (
            <option key={o} value={o}>
              {o === 'me' ? t('you') : o === 'everyone' ? t('everyone') : o}
            </option>
          ))}
        </select>
      )}
      <button type="submit" class="aq-btn aq-btn--primary" disabled={busy}>
        {t('add')}
      </button>
      <p id="aq-add-error" class="aq-error aq-add__error" role="alert">
        {error}
      </p>
    </form>
  );
}
