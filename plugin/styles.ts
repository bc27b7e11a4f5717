/**
 * The widget's CSS, injected into its shadow root only. Values are Roundcube Elastic's (it has no CSS
 * variables, so they are carried here), exposed as role-named --aq-* properties that a host may override
 * on the <amavis-quarantine> element.
 */
export const css = `
:host {
  --aq-accent: #37beff;
  --aq-accent-text: #00516e;
  --aq-bg: #fff;
  --aq-surface: #f4f4f4;
  --aq-text: #2c363a;
  --aq-muted: #7b8a8f;
  --aq-border: #ddd;
  --aq-error: #ff5552;
  --aq-success: #41b849;
  --aq-warning: #ffd452;
  --aq-focus: #37beff;
  --aq-radius: 4px;
  --aq-font: Roboto, "Helvetica Neue", Helvetica, Arial, sans-serif;
  display: block;
  contain: content;
}
:host([hidden]) { display: none; }
:host([data-aq-theme="dark"]) {
  --aq-accent-text: #37beff;
  --aq-bg: #21292c;
  --aq-surface: #2f3a3f;
  --aq-text: #c5d1d3;
  --aq-muted: #8c9da2;
  --aq-border: #4d6066;
}
/* The root resets everything it could inherit from the host page, so host CSS cannot reach in.
   Sizes are px, never rem: rem follows the host's <html> font-size, even inside a shadow root. */
.aq-root {
  all: initial;
  display: block;
  box-sizing: border-box;
  font-family: var(--aq-font);
  font-size: 14px;
  line-height: 1.42857;
  color: var(--aq-text);
  background: var(--aq-bg);
  border: 1px solid var(--aq-border);
  border-radius: var(--aq-radius);
  min-height: 100%;
}
.aq-root *, .aq-root *::before, .aq-root *::after { box-sizing: inherit; }
.aq-header {
  display: flex; align-items: center; gap: 8px;
  padding: 8px 16px; min-height: 58px;
  border-bottom: 1px solid var(--aq-border);
}
.aq-title { margin: 0; font-size: 20px; font-weight: 400; }
.aq-body { display: block; padding: 16px; }
.aq-status { margin: 0 0 16px; padding: 8px 12px; border-radius: var(--aq-radius); border-left: 4px solid var(--aq-muted); background: var(--aq-surface); }
.aq-status--success { border-left-color: var(--aq-success); }
.aq-status--error { border-left-color: var(--aq-error); }
.aq-status--loading { border-left-color: var(--aq-accent); }
.aq-health__list { list-style: none; margin: 0; padding: 0; border: 1px solid var(--aq-border); border-radius: var(--aq-radius); }
.aq-health__item { display: flex; align-items: center; gap: 12px; padding: 10px 12px; }
.aq-health__item + .aq-health__item { border-top: 1px solid var(--aq-border); }
.aq-health__label { flex: 1; }
.aq-health__state { color: var(--aq-muted); }
.aq-dot { width: 10px; height: 10px; border-radius: 50%; flex: none; }
.aq-dot--ok { background: var(--aq-success); }
.aq-dot--degraded { background: var(--aq-error); }
`;
