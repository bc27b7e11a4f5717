/**
 * amavis-quarantine for Roundcube: on the login page, end this browser's quarantine session.
 *
 * Roundcube shows its login page after a logout, and when its session has ended: whoever signs in
 * next must not find the previous user's quarantine. This reads the quarantine session for its CSRF
 * token, then deletes it, sending the quarantine cookie exactly as the widget does (credentials:
 * 'include', from a page of Roundcube's origin, which the server's AQ_ALLOWED_ORIGINS lists). Without a
 * session nothing happens. No keepalive: browsers differ on keepalive requests that need a CORS
 * preflight, as this DELETE with its header does.
 *
 * @license MIT
 */
(function () {
  'use strict';

  function signOut() {
    var api = window.rcmail && rcmail.env.amavis_quarantine_api;
    if (!api || !window.fetch) {
      return;
    }
    fetch(api + '/session', { credentials: 'include', cache: 'no-store' })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (session) {
        if (!session || !session.csrfToken) {
          return;
        }
        return fetch(api + '/session', {
          method: 'DELETE',
          credentials: 'include',
          headers: { 'X-CSRF-Token': session.csrfToken },
        });
      })
      .catch(function () {
        // The quarantine server may be unreachable now; the widget's data-user check still keeps users
        // apart, and the session ends after AQ_SESSION_IDLE_MINUTES.
      });
  }

  if (window.rcmail) {
    rcmail.addEventListener('init', signOut);
  }
})();
