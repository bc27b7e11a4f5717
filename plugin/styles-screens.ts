/**
 * The CSS of the screens that live in chunks (plugin/chunks/), in them rather than in the main file: each
 * chunk hands its own to lazy-view.tsx, which puts it into the shadow root beside the screen. The names
 * and variables are those of styles.ts.
 */
export const statsCss = `
.aq-stats{max-width:960px}
.aq-totals{display:flex;flex-wrap:wrap;gap:8px 24px;margin:0 0 12px}
.aq-totals dt{font-size:12px;color:var(--aq-muted)}
.aq-totals dd{margin:0;font-size:20px}
.aq-totals dd .aq-muted{font-size:13px}
.aq-chart{margin:0 0 12px}
.aq-chart__plot{position:relative;padding-left:32px}
.aq-chart__max{position:absolute;left:0;top:0;font-size:11px}
.aq-chart svg{display:block;width:100%;height:160px;overflow:visible}
.aq-chart__axis{stroke:var(--aq-border);stroke-width:1;vector-effect:non-scaling-stroke}
.aq-chart__days{display:flex;justify-content:space-between;padding-left:32px;font-size:11px}
.aq-legend{display:flex;flex-wrap:wrap;gap:4px 12px;list-style:none;margin:6px 0 0;padding:0;font-size:12px}
.aq-legend li{display:flex;align-items:center;gap:4px}
.aq-bar{fill:currentColor}
.aq-swatch{display:inline-block;width:10px;height:10px;border-radius:2px;background:currentColor}
.aq-bar--spam{color:#f5b400}
.aq-bar--spammy{color:#ffd452}
.aq-bar--virus{color:#ff5552}
.aq-bar--banned{color:#c061e0}
.aq-bar--bad-header{color:#37beff}
.aq-bar--bad-mime{color:#1f7fb0}
.aq-bar--oversized{color:#41b849}
.aq-bar--unchecked{color:#8c9da2}
.aq-bar--other{color:#5d6b70}
.aq-tops{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:0 24px}
.aq-top{margin:0;padding:0}
.aq-top li{display:flex;justify-content:space-between;gap:8px;padding:2px 0}
`;

export const policyCss = `
.aq-policy{max-width:720px}
.aq-presets{display:flex;flex-wrap:wrap;gap:6px 16px;border:0;padding:0;margin:0 0 8px}
.aq-presets legend{padding:0}
.aq-pfield{display:grid;grid-template-columns:minmax(0,1fr) 120px 120px 72px;align-items:center;gap:4px 12px;padding:8px 0;border-bottom:1px solid var(--aq-border)}
.aq-pfield>.aq-check{grid-column:span 2}
.aq-pfield__src{font-size:12px}
.aq-policy__save{align-items:center;margin-top:12px}
.aq-digest{margin-top:16px;padding-top:8px;border-top:1px solid var(--aq-border)}
@container (max-width:600px){.aq-pfield{grid-template-columns:120px 1fr auto}.aq-pfield>.aq-pfield__label{grid-column:1/-1}}
`;

export const requestsCss = `
.aq-requests{list-style:none;margin:0;padding:0}
.aq-request{padding:10px 0;border-bottom:1px solid var(--aq-border)}
.aq-request p{margin:2px 0}
.aq-request__head{display:flex;flex-wrap:wrap;align-items:center;gap:4px 8px}
`;

export const auditCss = `
.aq-audit td{white-space:nowrap}
.aq-audit td.aq-wrap,.aq-audit td:last-child{white-space:normal;min-width:160px;max-width:360px;overflow-wrap:anywhere}
.aq-audit--failed td:last-child{color:var(--aq-error)}
`;
