/** API paths, relative to the API base (`data-api`, e.g. https://mail.example.org/api). */
export const ROUTES = {
  health: '/health',
  session: '/session',
  sso: '/session/sso',
  messages: '/messages',
  message: (id: string) => `/messages/${encodeURIComponent(id)}`,
  messageRaw: (id: string) => `/messages/${encodeURIComponent(id)}/raw`,
  release: (id: string) => `/messages/${encodeURIComponent(id)}/release`,
  remove: (id: string) => `/messages/${encodeURIComponent(id)}/delete`,
  requestRelease: (id: string) => `/messages/${encodeURIComponent(id)}/request-release`,
  batch: '/messages/batch',
  requests: '/requests',
  audit: '/audit',
} as const;

/** The path the server serves the widget bundle at, and the file name vite builds. */
export const WIDGET_FILE = 'amavis-quarantine.js';
