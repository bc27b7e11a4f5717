import type { DateOptions } from './i18n';

/** What a host passes to mount(): the API base, and optionally the UI language and a single sign-on token. */
export interface MountOptions {
  api: string;
  locale?: string | undefined;
  /** From the webmail (e.g. the Roundcube plugin): exchanged for a session, so no password is asked. */
  ssoToken?: string | undefined;
  /** The webmail's signed-in user: a quarantine session of anyone else is signed out, never shown. */
  user?: string | undefined;
  /** The user's time zone and date and time formats (PHP date() letters, as Roundcube's settings). */
  dates?: DateOptions | undefined;
  /** Inside a webmail that shows the title and signs users in and out itself: no title, no Sign out. */
  embedded?: boolean | undefined;
  /** 'hash' (the default): filters, search, sort, paging, selection and the open message live in the page's URL hash, so a reload keeps them; 'none': nowhere. */
  state?: 'hash' | 'none' | undefined;
}
