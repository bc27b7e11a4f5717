/**
 * The message view's toolbar and its "More" menu, in the message chunk (the main file's budget is spent).
 * (With the message bar's own rules: they are only used here.) Elastic's look: borderless buttons, an icon over a small label, the accent colour on hover, a popup menu
 * with a shadow. The bar is a container of its own, so the toolbar follows the message's width (a preview
 * pane, or the whole widget on a phone): below 520 px it takes a row of its own, its buttons share it.
 */
export const toolbarCss = `
.aq-msg-bar{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:8px;margin-bottom:12px;container-type:inline-size}
.aq-ask{display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.aq-tb{display:flex;align-items:stretch;gap:2px;margin-left:auto}
.aq-tb-btn{display:flex;flex-direction:column;align-items:center;justify-content:center;gap:2px;min-width:60px;min-height:44px;padding:4px 8px;font:inherit;font-size:12px;line-height:1.2;color:var(--aq-text);background:none;border:0;border-radius:var(--aq-radius);cursor:pointer;white-space:nowrap}
.aq-tb-btn:hover:not(:disabled),.aq-tb-btn[aria-expanded=true]{color:var(--aq-accent-strong);background:var(--aq-hover)}
.aq-tb-btn:disabled{opacity:.5;cursor:default}
.aq-icon{width:22px;height:22px;flex:none;fill:none;stroke:currentColor;stroke-width:1.75;stroke-linecap:round;stroke-linejoin:round}
.aq-menu-wrap{position:relative;display:flex}
.aq-menu{position:absolute;right:0;top:100%;z-index:10;width:max-content;min-width:200px;max-width:320px;margin-top:2px;padding:4px 0;background:var(--aq-bg);border:1px solid var(--aq-border);border-radius:var(--aq-radius);box-shadow:0 2px 8px rgba(0,0,0,.25)}
.aq-menu-item{display:flex;align-items:center;gap:10px;width:100%;min-height:36px;padding:6px 12px;font:inherit;font-size:13px;color:var(--aq-text);background:none;border:0;text-align:left;text-decoration:none;cursor:pointer;overflow-wrap:anywhere}
.aq-menu-item .aq-icon{width:18px;height:18px}
.aq-menu-item:hover,.aq-menu-item:focus{background:var(--aq-hover);outline-offset:-2px}
.aq-menu-item[aria-disabled=true]{opacity:.5;cursor:default}
@container (max-width:520px){
.aq-tb{flex:1 1 100%;margin-left:0}
.aq-tb>*{flex:1 1 0;min-width:0}
.aq-tb-btn{width:100%;min-width:0;padding:4px 2px;font-size:11px;white-space:normal;text-align:center}
}
`;
