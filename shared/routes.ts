/** API paths, relative to the API base (`data-api`, e.g. https://mail.example.org/api). */
export const ROUTES = {
  health: '/health',
  session: '/session',
  messages: '/messages',
  message: (id: string) => `/messages/${encodeURIComponent(id)}`,
  messageRaw: (id: string) => `/messages/${encodeURIComponent(id)}/raw`,
} as const;

/** The path the server serves the widget bundle at, and the file name vite builds. */
export const WIDGET_FILE = 'amavis-quarantine.js';
