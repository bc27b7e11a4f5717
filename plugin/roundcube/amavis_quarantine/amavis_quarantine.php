<?php

/**
 * amavis-quarantine for Roundcube
 *
 * Adds a "Quarantine" entry to the taskbar. It opens a page with the amavis-quarantine widget, which
 * signs the user in with a short-lived single sign-on token: no second password.
 *
 * The token, checked by the quarantine server at POST /api/session/sso, is
 *
 *   base64url(email) "." expiry "." nonce "." hex(HMAC-SHA256(secret, email "\n" expiry "\n" nonce))
 *
 * where email is the address the user signed in to IMAP with, expiry a Unix time in seconds, nonce a
 * random base64url string (two tokens of one second must differ: each is accepted once), and secret
 * amavis_quarantine_sso_secret here and AQ_SSO_SECRET there. Settings: config.inc.php.dist.
 *
 * The widget shows dates in the user's Roundcube time zone and date and time formats, and no title or
 * Sign out of its own (data-embedded): Roundcube has both.
 *
 * The quarantine session follows the Roundcube one. The script tag names the Roundcube user
 * (data-user), so the widget signs out a session of anyone else. And Roundcube's login page (shown
 * after a logout, or when the Roundcube session ended) runs signout.js, which ends the quarantine
 * session of this browser: it sends the quarantine cookie exactly as the widget does, so it works in
 * every setup where the widget works (one site, or across sites with SameSite=None and Partitioned,
 * whose partition is the Roundcube site's for both pages), in both modes, with or without SSO.
 *
 * @license MIT
 */
class amavis_quarantine extends rcube_plugin
{
    /** Every task: the taskbar entry wherever the user is, and the sign-out on the login page. */
    public $task = '.*';

    /** No AJAX handlers, and no taskbar inside frames. */
    public $noajax = true;
    public $noframe = true;

    public function init()
    {
        $this->load_config();
        // Roundcube initialises a plugin once per request, for the task first asked for: a logout, or a
        // page whose Roundcube session has ended, shows the login page from there. 'unauthenticated'
        // runs right before every login page, whatever the task was.
        $this->add_hook('unauthenticated', [$this, 'sign_out_of_quarantine']);
        if (in_array($this->api->task, ['login', 'logout'], true)) {
            return;
        }
        $this->add_texts('localization/', false);
        $this->register_task('quarantine');
        $this->register_action('index', [$this, 'show']);
        $this->add_hook('startup', [$this, 'startup']);
    }

    /** Adds the taskbar entry (with Elastic's classes) and its icon. */
    public function startup($args)
    {
        $this->add_button([
                'command' => 'quarantine',
                'type' => 'link',
                'label' => 'amavis_quarantine.quarantine',
                'title' => 'amavis_quarantine.quarantinetitle',
                'class' => 'quarantine',
                'classsel' => 'quarantine selected',
                'innerclass' => 'inner',
            ], 'taskbar'
        );
        $this->include_stylesheet($this->local_skin_path() . '/amavis_quarantine.css');

        return $args;
    }

    /**
     * On the login page, nobody is signed in to Roundcube: end this browser's quarantine session too
     * (signout.js), so the next person at this browser never finds the last one's quarantine.
     */
    public function sign_out_of_quarantine($args)
    {
        $rcmail = rcmail::get_instance();
        $base = rtrim((string) $rcmail->config->get('amavis_quarantine_url'), '/');
        if ($base !== '') {
            $rcmail->output->set_env('amavis_quarantine_api', $base . '/api');
            $this->include_script('signout.js');
        }

        return $args;
    }

    /** The Quarantine page: the skin's layout, with the widget in the content area. */
    public function show()
    {
        $rcmail = rcmail::get_instance();
        $rcmail->output->set_pagetitle($this->gettext('quarantine'));
        $rcmail->output->add_handlers(['amavisquarantine' => [$this, 'widget']]);
        $rcmail->output->send('amavis_quarantine.quarantine');
    }

    /** Template object: the <amavis-quarantine> element and its script tag, with a fresh token. */
    public function widget($attrib)
    {
        $rcmail = rcmail::get_instance();
        $base = rtrim((string) $rcmail->config->get('amavis_quarantine_url'), '/');
        if ($base === '') {
            rcube::raise_error(['code' => 500, 'file' => __FILE__, 'line' => __LINE__,
                'message' => 'amavis_quarantine: set amavis_quarantine_url (see config.inc.php.dist)'], true, false);

            return html::p(['class' => 'boxerror'], rcube::Q($this->gettext('notconfigured')));
        }

        $script = [
            'src' => $base . '/amavis-quarantine.js',
            'data-api' => $base . '/api',
            'data-locale' => $rcmail->get_user_language(),
            // The Roundcube user (the IMAP login, as for the token): the widget never shows anyone
            // else's quarantine session, e.g. the one the browser's previous user left behind.
            'data-user' => $rcmail->get_user_email(),
            // Dates as in the rest of Roundcube: the user's time zone ('auto' is resolved to the browser's
            // at login) and their date and time formats (PHP date() letters, which the widget reads).
            'data-timezone' => (string) $rcmail->config->get('timezone'),
            'data-date-format' => (string) $rcmail->config->get('date_format', 'Y-m-d'),
            'data-time-format' => (string) $rcmail->config->get('time_format', 'H:i'),
            // Roundcube shows the title and signs users in and out: the widget shows neither.
            'data-embedded' => 'true',
            'async' => 'async',
        ];
        $secret = (string) $rcmail->config->get('amavis_quarantine_sso_secret');
        if ($secret !== '') {
            // The IMAP login (with mail_domain added when it has none), never an identity's address:
            // users may set those to anything.
            $lifetime = (int) $rcmail->config->get('amavis_quarantine_sso_lifetime', 60);
            $script['data-sso-token'] = self::sso_token($secret, $rcmail->get_user_email(), $lifetime);
        }

        return html::tag('amavis-quarantine', ['id' => $attrib['id'] ?? 'amavis-quarantine'], '')
            . html::tag('script', $script, '');
    }

    /**
     * A single sign-on token for $email, valid for $lifetime seconds (at most the server's
     * AQ_SSO_MAX_AGE_SECONDS). See the format above.
     */
    public static function sso_token($secret, $email, $lifetime = 60)
    {
        $expiry = (string) (time() + max(1, (int) $lifetime));
        $nonce = self::base64url(random_bytes(16));
        $mac = hash_hmac('sha256', $email . "\n" . $expiry . "\n" . $nonce, $secret);

        return self::base64url($email) . '.' . $expiry . '.' . $nonce . '.' . $mac;
    }

    private static function base64url($bytes)
    {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }
}
