import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** CSS a careless or hostile webmail might carry: none of it may change the widget. */
export const HOSTILE_CSS = `
* { font-size: 40px !important; color: #f0f !important; font-family: "Comic Sans MS", cursive !important; }
html { font-size: 40px !important; }
div, p, li, span, h2 { border: 3px dashed #f00 !important; padding: 30px !important; background: yellow !important; }
amavis-quarantine { line-height: 5 !important; letter-spacing: 8px !important; }
`;

/** An Elastic-like webmail page that embeds the widget by script tag, the way a real host does. */
export function hostPageHtml(options: { widgetUrl: string; apiUrl: string; hostile?: boolean; dark?: boolean; lang?: string; attrs?: Record<string, string> }): string {
  const attrs = Object.entries(options.attrs ?? {})
    .map(([name, value]) => ` ${name}="${value.replace(/[&"<]/g, (c) => `&#${c.charCodeAt(0)};`)}"`)
    .join('');
  return `<!doctype html>
<html lang="${options.lang ?? 'en'}"${options.dark ? ' class="dark-mode"' : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Webmail :: Quarantine</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font: 14px/1.42857 Roboto, "Helvetica Neue", Helvetica, Arial, sans-serif; color: #2c363a; background: #fff; }
  .layout { display: flex; min-height: 100vh; }
  .menu { width: 72px; background: #2f3a3f; color: #c5d1d3; display: flex; flex-direction: column; align-items: center; padding-top: 12px; gap: 4px; }
  .menu a { color: #c5d1d3; text-decoration: none; font-size: 11px; padding: 10px 0; width: 100%; text-align: center; }
  .menu a.selected { background: #37beff; color: #fff; }
  .content { flex: 1; display: flex; flex-direction: column; min-width: 0; }
  .header { height: 58px; border-bottom: 1px solid #ddd; display: flex; align-items: center; padding: 0 16px; font-size: 20px; }
  .frame { padding: 16px; flex: 1; }
  html.dark-mode body { background: #21292c; color: #c5d1d3; }
  html.dark-mode .header { border-color: #4d6066; }
  html.dark-mode .menu { background: #161b1d; }
  @media (max-width: 480px) { .menu { display: none; } .frame { padding: 8px; } }
  ${options.hostile ? HOSTILE_CSS : ''}
</style>
</head>
<body>
<div class="layout">
  <nav class="menu" aria-label="Webmail"><a href="#">Mail</a><a href="#">Contacts</a><a href="#">Settings</a><a href="#" class="selected">Quarantine</a></nav>
  <div class="content">
    <div class="header">Quarantine</div>
    <div class="frame"><amavis-quarantine id="aq"></amavis-quarantine></div>
  </div>
</div>
<script src="${options.widgetUrl}" data-api="${options.apiUrl}"${attrs} async></script>
</body>
</html>`;
}

/** Serves host pages on their own loopback origin, so the widget runs cross-origin as in production. */
export async function startHostServer(render: (url: URL) => string): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host.invalid');
    if (url.pathname !== '/') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(render(url));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
