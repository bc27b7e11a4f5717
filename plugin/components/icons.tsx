/**
 * The message toolbar's icons: stroke paths on a 24-unit grid, drawn in the text's colour (currentColor,
 * so they follow light and dark mode and the hover colour). Elastic draws its icons with a web font; a
 * font in a shadow root needs an @font-face on the host page, so these are inline SVG paths instead.
 */
const CIRCLE = 'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20z';
export const ICONS = {
  // An inbox tray with an arrow into it: the mail goes to the inbox.
  release: 'M3 13h5l2 3h4l2-3h5M3 13v7h18v-7l-3-9H6l-3 9M12 3v8m-3-3 3 3 3-3',
  request: 'M22 2 11 13M22 2l-7 20-4-9-9-4z',
  notSpam: `${CIRCLE}M8 12l3 3 5-6`,
  delete: 'M3 6h18M8 6V3h8v3M5 6l1 15h12l1-15M10 10v7M14 10v7',
  block: `${CIRCLE}M5 5l14 14`,
  // Three dots: each a circle of radius 1 whose stroke fills it.
  more: 'M4 12a1 1 0 1 0 2 0a1 1 0 1 0-2 0M11 12a1 1 0 1 0 2 0a1 1 0 1 0-2 0M18 12a1 1 0 1 0 2 0a1 1 0 1 0-2 0',
  allow: 'M20 6 9 17l-5-5',
  domain: `${CIRCLE}M2 12h20M12 2c-5 6-5 14 0 20c5-6 5-14 0-20`,
  spam: 'M5 22V3h12l-2 5 2 5H5',
  download: 'M12 3v12m-5-5 5 5 5-5M4 21h16',
  releaseTo: 'M15 5l6 6-6 6M21 11H10a7 7 0 0 0-7 7v2',
  releaseAll: 'M2 21v-2a5 5 0 0 1 5-5h4a5 5 0 0 1 5 5v2M9 11a4 4 0 1 0 0-8a4 4 0 1 0 0 8M18 14a4 4 0 0 1 4 5v2M16 3a4 4 0 0 1 0 8',
} as const;
export type IconName = keyof typeof ICONS;

/** One icon, hidden from assistive technology: the button's text names it. */
export const Icon = ({ name }: { name: IconName }) => (
  <svg class="aq-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path d={ICONS[name]} />
  </svg>
);
