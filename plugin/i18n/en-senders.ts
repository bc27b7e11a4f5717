/** English strings of the Sender lists screen and its form, which the Spam filter screen shows too (the senders and policy chunks). */
export const enSenders = {
  sender: 'Sender',
  senderHint: 'name@example.com, example.com or *.example.com',
  list: 'List',
  l_allow: 'Allowed',
  l_block: 'Blocked',
  add: 'Add',
  remove: 'Remove',
  removed: 'Entry removed.',
  noEntries: 'No allowed or blocked senders yet.',
  truncated: 'Only the first entries are shown.',
};
