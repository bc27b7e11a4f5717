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
.aq-item--open,.aq-item--open:hover{background:var(--aq-hover);box-shadow:inset 3px 0 var(--aq-accent-strong)}
.aq-list-foot{display:flex;align-items:center;justify-content:space-between;flex-wrap:wrap;gap:8px;padding:8px 0}
.aq-list-foot .aq-more{margin:0}
@container (max-width:900px){
.aq-mail--open{display:block}
.aq-mail--open>.aq-list{display:none}
.aq-mail--open>.aq-message{position:static;max-height:none;overflow:visible;padding-left:0;border-left:0}
}
`;
