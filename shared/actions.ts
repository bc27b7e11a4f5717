/**
 * What a user may do to one recipient's copy of a quarantined message. The server decides which of these
 * the session user may take on each item (`QuarantineItem.actions`), and the widget draws its buttons
 * from that list only: it holds no role or policy rule of its own.
 */
export const MESSAGE_ACTIONS = ['release', 'request', 'delete', 'release_all', 'release_to', 'purge'] as const;
export type MessageAction = (typeof MESSAGE_ACTIONS)[number];

/**
 * The actions a batch may carry, each on one recipient's copy: release, delete, request; learn as spam or
 * ham; "Not spam" (release, learn ham, allow the sender); allow or block each copy's sender.
 */
export const BATCH_ACTIONS = ['release', 'delete', 'request', 'learn_spam', 'learn_ham', 'not_spam', 'allow_sender', 'block_sender'] as const;
export type BatchAction = (typeof BATCH_ACTIONS)[number];

/** Who may release a kind of quarantined mail: its recipient, its recipient by asking an admin, or only admins. */
export type ReleaseMode = 'direct' | 'request' | 'admin';
