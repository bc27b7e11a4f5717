/** English strings of an admin's Requests screen (the requests chunk). */
export const enRequests = {
  approve: 'Approve',
  deny: 'Deny',
  noRequests: 'No pending release requests.',
  requestGone: 'Already decided.',
  approved: 'Request approved; the message was released.',
  denied: 'Request denied.',
  requester: 'Requested by',
  reason: 'Reason',
};
