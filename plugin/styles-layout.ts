/**
 * Roundcube's mail layout (Elastic's three columns, less the folder list): on a wide widget the open
 * message sits beside the list (a preview pane) and stays in sight while the list scrolls; the list is a
 * container of its own, so that in its narrower column it takes the two-line look of a phone. On a
 * narrow widget the message covers the list, which stays (hidden) with its state.
 */
export const layoutCss = `
.aq-mail--open{display:grid;grid-template-columns:minmax(320px,2fr) minmax(0,3fr);gap:0 16px;align-items:start}
.aq-mail--open>.aq-list{container-type:inline-size;min-width:0}
.aq-mail--open>.aq-message{position:sticky;top:0;min-width:0;max-height:100vh;overflow:auto;padding-left:16px;border-left:1px solid var(--aq-border)}
.aq-mail--open .aq-item,.aq-mail--open .aq-items--rcpt .aq-item{grid-template-columns:24px minmax(0,1fr) auto auto;grid-template-areas:"c f f d" "c s t n";gap:0 8px;padding:4px 8px}
.aq-mail--open .aq-item__check{grid-area:c;align-self:center}
.aq-mail--open .aq-item__check input{width:16px;height:16px}
.aq-mail--open .aq-item__from{grid-area:f}
.aq-mail--open .aq-item__date{grid-area:d;text-align:right}
.aq-mail--open .aq-item__subject{grid-area:s;display:block;white-space:nowrap}
.aq-mail--open .aq-item__rcpt{display:none}
.aq-mail--open .aq-item__type{grid-area:t}
.aq-mail--open .aq-item__score{grid-area:n;text-align:right}
.aq-mail--open .aq-item .aq-item__actions{display:none}
.aq-item--open,.aq-item--open:hover{background:var(--aq-hover);box-shadow:inset 3px 0 var(--aq-accent-strong)}
.aq-list-foot{display:flex;align-items:center;justify-content:space-between;flex-wrap:wrap;gap:8px;padding:8px 0}
.aq-list-foot .aq-more{margin:0}
.aq-root--embedded .aq-header{min-height:0}
@container (max-width:900px){
.aq-mail--open{display:block}
.aq-mail--open>.aq-list{display:none}
.aq-mail--open>.aq-message{position:static;max-height:none;overflow:visible;padding-left:0;border-left:0}
}
@container (max-width:600px){
.aq-root--embedded .aq-user{display:none}
.aq-tabs{flex-wrap:nowrap;overflow-x:auto;max-width:100%}
}
`;
