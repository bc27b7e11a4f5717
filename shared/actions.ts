/**
 * What a user may do to one recipient's copy of a quarantined message. The server decides which of these
 * the session user may take on each item (`QuarantineItem.actions`), and the widget draws its buttons
 * from that list only: it holds no role or policy rule of its own.
 */
export const MESSAGE_ACTIONS = ['release', 'request', 'delete', 'release_all', 'release_to', 'purge'] as const;
export type MessageAction = (typeof MESSAGE_ACTIONS)[number];

/** The actions a batch may carry: those that act on one recipient's copy for its own recipient. */
export const BATCH_ACTIONS = ['release', 'delete', 'request'] as const;
export type BatchAction = (typeof BATCH_ACTIONS)[number];

/** Who may release a kind of quarantined mail: its recipient, its recipient by asking an admin, or only admins. */
export type ReleaseMode = 'direct' | 'request' | 'admin';
