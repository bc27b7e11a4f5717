/** API paths, relative to the API base (`data-api`, e.g. https://mail.example.org/api). */
export const ROUTES = {
  health: '/health',
  healthLive: '/health/live',
  healthReady: '/health/ready',
  session: '/session',
  sso: '/session/sso',
  messages: '/messages',
  message: (id: string) => `/messages/${encodeURIComponent(id)}`,
  messageRaw: (id: string) => `/messages/${encodeURIComponent(id)}/raw`,
  release: (id: string) => `/messages/${encodeURIComponent(id)}/release`,
  remove: (id: string) => `/messages/${encodeURIComponent(id)}/delete`,
  requestRelease: (id: string) => `/messages/${encodeURIComponent(id)}/request-release`,
  batch: '/messages/batch',
  allowSender: (id: string) => `/messages/${encodeURIComponent(id)}/allow-sender`,
  blockSender: (id: string) => `/messages/${encodeURIComponent(id)}/block-sender`,
  learn: (id: string) => `/messages/${encodeURIComponent(id)}/learn`,
  notSpam: (id: string) => `/messages/${encodeURIComponent(id)}/not-spam`,
  senderLists: '/sender-lists',
  senderList: (id: string) => `/sender-lists/${encodeURIComponent(id)}`,
  policy: '/policy',
  requests: '/requests',
  audit: '/audit',
  stats: '/stats',
  digestSettings: '/digest-settings',
} as const;

/** The path the server serves the widget bundle at, and the file name vite builds. */
export const WIDGET_FILE = 'amavis-quarantine.js';

/** The widget under a content-hashed name: served with a long, immutable cache, since it never changes. */
export const widgetFileFor = (hash: string) => `amavis-quarantine.${hash}.js`;

/** Names the current hashed widget file and its Subresource Integrity, for hosts that pin the version. */
export const WIDGET_MANIFEST = 'amavis-quarantine.json';

/** The widget's parts loaded on demand (plugin/chunks/): the de and fr strings, the message view and the secondary screens. */
export const WIDGET_CHUNKS = ['de', 'fr', 'message', 'stats', 'policy', 'senders', 'requests', 'audit'] as const;

/** A chunk's file: always content-hashed (the main file names it), so served with the long, immutable cache. */
export const widgetChunkFileFor = (name: string, hash: string) => `amavis-quarantine.${name}.${hash}.js`;
