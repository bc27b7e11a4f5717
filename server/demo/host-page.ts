import { DEMO_USERS } from './imap-server';

/** The demo's page at `/`: a webmail-like frame that embeds the widget by script tag, as a real host does. */
export function demoPageHtml(): string {
  const accounts = Object.keys(DEMO_USERS)
    .map((u) => `<code>${u}</code>`)
    .join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>amavis-quarantine demo</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font: 14px/1.42857 Roboto, "Helvetica Neue", Helvetica, Arial, sans-serif; color: #2c363a; background: #f4f4f4; }
  .layout { display: flex; min-height: 100vh; }
  .menu { width: 72px; background: #2f3a3f; display: flex; flex-direction: column; padding-top: 12px; }
  .menu a { color: #c5d1d3; text-decoration: none; font-size: 11px; padding: 10px 0; text-align: center; }
  .menu a.selected { background: #37beff; color: #fff; }
  .content { flex: 1; min-width: 0; padding: 16px; }
  .demo { background: #fff8d6; border: 1px solid #ffd452; border-radius: 4px; padding: 8px 12px; margin-bottom: 16px; }
  @media (max-width: 480px) { .menu { display: none; } .content { padding: 8px; } }
</style>
</head>
<body>
<div class="layout">
  <nav class="menu" aria-label="Webmail"><a href="#">Mail</a><a href="#">Contacts</a><a href="#">Settings</a><a href="#" class="selected">Quarantine</a></nav>
  <div class="content">
    <p class="demo" role="note"><strong>Demo mode.</strong> Sign in as ${accounts} (password <code>demo</code>).
    alice and bob are users, admin@ administers demo.example, postmaster@ is a super user. Released mail lands in the demo INBOX
    (one mailbox shared by all demo accounts). Nothing here touches a real mail server.</p>
    <amavis-quarantine></amavis-quarantine>
  </div>
</div>
<script src="/amavis-quarantine.js" data-api="/api"></script>
</body>
</html>`;
}
