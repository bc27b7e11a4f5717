/**
 * The widget's CSS, injected into its shadow root only. Values are Roundcube Elastic's (it has no CSS
 * variables, so they are carried here), exposed as role-named --aq-* properties that a host may override
 * on the <amavis-quarantine> element. Sizes are px, never rem: rem follows the host's <html> font-size,
 * even inside a shadow root. Layout follows the widget's own width (container queries), not the page's.
 */
import { layoutCss } from './styles-layout';

export const css =
  `
:host{--aq-accent:#37beff;--aq-accent-strong:#006fa6;--aq-on-accent:#fff;--aq-bg:#fff;--aq-surface:#f4f4f4;--aq-hover:#ebf7fd;--aq-text:#2c363a;--aq-muted:#5d6c71;--aq-border:#ddd;--aq-error:#c92a26;--aq-success:#287a2e;--aq-warning:#ffd452;--aq-focus:var(--aq-accent-strong);--aq-radius:4px;--aq-frame:1px solid var(--aq-border);--aq-font:Roboto,"Helvetica Neue",Helvetica,Arial,sans-serif;display:block;contain:layout style;color-scheme:light}
:host([hidden]){display:none}
:host([data-aq-theme=dark]){--aq-accent-strong:#37beff;--aq-bg:#21292c;--aq-surface:#2f3a3f;--aq-hover:#263840;--aq-text:#c5d1d3;--aq-muted:#9fb0b5;--aq-border:#4d6066;--aq-on-accent:#0b1a20;--aq-error:#ff8c8a;--aq-success:#5fcf66;color-scheme:dark}
.aq-root{all:initial;color-scheme:inherit;container-type:inline-size;display:block;box-sizing:border-box;font-family:var(--aq-font);font-size:14px;line-height:1.42857;color:var(--aq-text);background:var(--aq-bg);border:var(--aq-frame);border-radius:var(--aq-radius);min-height:100%}
.aq-root *,.aq-root *::before,.aq-root *::after{box-sizing:inherit;font-family:inherit}
.aq-root :focus-visible{outline:2px solid var(--aq-focus);outline-offset:1px}
.aq-header{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;padding:8px 16px;min-height:58px;border-bottom:1px solid var(--aq-border)}
.aq-title{margin:0;font-size:20px;font-weight:400}
.aq-tabs{display:flex;flex-wrap:wrap;gap:4px}
.aq-tab{font:inherit;color:inherit;background:none;border:0;border-bottom:2px solid transparent;padding:6px 10px;cursor:pointer;white-space:nowrap}
.aq-tab[aria-current=page]{border-bottom-color:var(--aq-accent);color:var(--aq-accent-strong)}
.aq-user{margin-left:auto;display:flex;align-items:center;gap:8px;min-width:0}
.aq-user>.aq-muted{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.aq-body{display:block;padding:16px}
.aq-h3{margin:0 0 12px;font-size:18px;font-weight:500;overflow-wrap:anywhere}
.aq-msg-subject{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;line-clamp:3;overflow:hidden}
.aq-h4{margin:16px 0 6px;font-size:14px;font-weight:500}
.aq-muted{color:var(--aq-muted)}
.aq-live{flex:1 1 240px;min-width:0}
.aq-live:empty{flex:0 0 0}
.aq-live>.aq-status{margin:0;padding:4px 12px}
.aq-confirm>p{margin:0 0 8px}
.aq-item--deleted .aq-item__subject{text-decoration:line-through}
.aq-status{margin:12px 0;padding:8px 12px;border-radius:var(--aq-radius);border-left:4px solid var(--aq-muted);background:var(--aq-surface);overflow-wrap:anywhere}
.aq-status--success{border-left-color:var(--aq-success)}
.aq-status--error{border-left-color:var(--aq-error)}
.aq-status--warning{border-left-color:var(--aq-warning)}
.aq-status--info{border-left-color:var(--aq-accent)}
.aq-error{color:var(--aq-error);min-height:1em;margin:4px 0}
.aq-btn{font:inherit;font-size:13px;color:var(--aq-text);background:var(--aq-bg);border:1px solid var(--aq-border);border-radius:var(--aq-radius);padding:5px 12px;cursor:pointer;white-space:nowrap}
.aq-btn:hover{background:var(--aq-hover)}
.aq-btn:disabled{opacity:.6;cursor:default}
.aq-btn--primary{background:var(--aq-accent-strong);border-color:var(--aq-accent-strong);color:var(--aq-on-accent)}
.aq-btn--primary:hover{background:var(--aq-accent-strong);filter:brightness(.9)}
.aq-btn--danger{color:var(--aq-error);border-color:var(--aq-error)}
.aq-btn--link{border:0;background:none;color:var(--aq-accent-strong);padding:2px 4px}
.aq-btn--small{padding:2px 8px;font-size:12px}
.aq-input{font:inherit;font-size:13px;color:var(--aq-text);background:var(--aq-bg);border:1px solid var(--aq-border);border-radius:var(--aq-radius);padding:5px 8px;min-width:0;max-width:100%}
.aq-signin{max-width:360px;margin:24px auto;display:flex;flex-direction:column;gap:10px}
.aq-field{display:flex;flex-direction:column;gap:4px}
.aq-field input{font:inherit;color:var(--aq-text);background:var(--aq-bg);border:1px solid var(--aq-border);border-radius:var(--aq-radius);padding:8px 10px}
.aq-toolbar{position:relative;display:flex;flex-wrap:wrap;gap:8px;margin-bottom:8px}
.aq-search{flex:1 1 220px}
.aq-filters{display:none;position:absolute;z-index:9;top:100%;right:0;margin-top:4px;padding:12px;gap:8px;background:var(--aq-bg);border:var(--aq-frame);border-radius:var(--aq-radius);box-shadow:0 2px 8px rgba(0,0,0,.3)}
.aq-filters--open{display:grid}
.aq-filters .aq-date{justify-content:space-between;gap:12px}
.aq-filters .aq-input{width:200px}
.aq-filters>.aq-btn{justify-self:end}
.aq-filter-toggle .aq-badge{margin-left:6px}
.aq-date{display:flex;align-items:center;gap:4px;font-size:13px}
.aq-bulk{display:flex;flex-wrap:wrap;align-items:center;gap:8px;min-height:36px;padding:4px 8px;border-bottom:1px solid var(--aq-border)}
.aq-check{display:flex;align-items:center;gap:6px}
.aq-actions{display:flex;flex-wrap:wrap;align-items:center;gap:6px}
.aq-items{list-style:none;margin:0;padding:0}
.aq-item{position:relative;display:grid;grid-template-columns:24px minmax(0,200px) minmax(0,1fr) 128px 48px 136px;align-items:center;gap:0 12px;padding:0 8px;min-height:36px;border-bottom:1px solid var(--aq-border);cursor:pointer}
.aq-items--rcpt .aq-item{grid-template-columns:24px minmax(0,180px) minmax(0,1fr) minmax(0,160px) 128px 48px 136px}
.aq-item>*{min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.aq-item:hover{background:var(--aq-hover)}
.aq-item[aria-selected=true]{background:var(--aq-surface)}
.aq-item--new .aq-item__subject,.aq-item--new .aq-item__from{font-weight:500}
.aq-item__check,.aq-item__check input{display:flex;margin:0}
.aq-item__subject{margin:0}
.aq-item__subject .aq-badge{margin-right:6px}
.aq-item__rcpt{color:var(--aq-muted);font-size:12px}
.aq-item__score{text-align:right}
.aq-item__date{font-size:12px;text-align:right}
.aq-item__actions{position:absolute;right:8px;top:0;bottom:0;display:none;gap:4px;align-items:center;padding-left:8px;background:inherit}
.aq-item:hover .aq-item__actions,.aq-item:focus-within .aq-item__actions{display:flex;background:var(--aq-hover)}
.aq-badge{display:inline-block;padding:0 6px;border-radius:9px;font-size:11px;line-height:18px;background:var(--aq-surface);border:1px solid var(--aq-border)}
.aq-badge--virus,.aq-badge--banned,.aq-auth--fail{border-color:var(--aq-error);color:var(--aq-error)}
.aq-badge--spam,.aq-badge--spammy{border-color:var(--aq-warning)}
.aq-auth--pass{border-color:var(--aq-success);color:var(--aq-success)}
.aq-score,.aq-item__date{font-variant-numeric:tabular-nums;color:var(--aq-muted)}
.aq-empty{padding:32px 8px;text-align:center;color:var(--aq-muted)}
.aq-more{display:block;margin:12px auto}
.aq-keys{font-size:12px;margin-top:12px}
.aq-summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 8px}
.aq-summary dt{color:var(--aq-muted)}
.aq-summary dd{margin:0;overflow-wrap:anywhere}
.aq-why{margin:8px 0;padding:8px 12px;border:1px solid var(--aq-border);border-radius:var(--aq-radius)}
.aq-why summary{cursor:pointer;font-weight:500}
.aq-why p{margin:6px 0}
.aq-alert{color:var(--aq-error);overflow-wrap:anywhere}
.aq-test{display:inline-block;margin:0 4px 4px 0;padding:0 4px;font-size:12px;background:var(--aq-surface);border-radius:3px}
.aq-body-frame{display:block;width:100%;height:420px;border:1px solid var(--aq-border);border-radius:var(--aq-radius);background:var(--aq-bg);resize:vertical}
.aq-attachments ul{list-style:none;margin:0;padding:0}
.aq-attachments li{padding:4px 0;overflow-wrap:anywhere}
.aq-attach-name{font-weight:500}
.aq-link{color:var(--aq-accent-strong)}
.aq-decide{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}
.aq-decide .aq-input{flex:1 1 200px}
.aq-scroll{overflow-x:auto}
.aq-table{border-collapse:collapse;width:100%;font-size:13px}
.aq-table th,.aq-table td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--aq-border);vertical-align:top}
.aq-list--block{color:var(--aq-error)}
.aq-list--allow{color:var(--aq-success)}
.aq-wrap{overflow-wrap:anywhere}
.aq-add__error{flex-basis:100%}
.aq-add__error:empty{display:none}
.aq-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@container (max-width:600px){
.aq-body{padding:8px}
.aq-item,.aq-items--rcpt .aq-item{grid-template-columns:32px minmax(0,1fr) auto auto;grid-template-areas:"c f f d" "c s s s" "c r r r" "c t n ." "c a a a";gap:2px 8px;padding:8px}
.aq-item__check{grid-area:c;align-self:start}
.aq-item__check input{width:24px;height:24px}
.aq-item__from{grid-area:f}
.aq-item__date{grid-area:d}
.aq-item__subject{grid-area:s;white-space:normal;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;line-clamp:2;overflow-wrap:anywhere}
.aq-item__rcpt{grid-area:r}
.aq-item__type{grid-area:t}
.aq-item__score{grid-area:n;text-align:left}
.aq-item .aq-item__actions{grid-area:a;position:static;display:flex;background:none;padding:4px 0 0}
.aq-item__actions .aq-btn{min-height:32px;padding:4px 12px}
.aq-filters{left:0}
.aq-filters .aq-input{width:65%}
.aq-body-frame{height:360px}
.aq-summary{grid-template-columns:1fr}
.aq-summary dd{margin-bottom:4px}
.aq-toolbar .aq-search{flex:1 1 140px}
}
` + layoutCss;
