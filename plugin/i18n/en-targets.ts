/** English strings of the choice of whose numbers or settings a screen shows (target-picker.tsx, the sender list form): the stats, policy and senders chunks. */
export const enTargets = {
  forWhom: 'For',
  you: 'You',
  everyone: 'Everyone',
  otherDomain: 'Another domain…',
  domain: 'Domain',
  show: 'Show',
  domainInvalid: 'Enter a domain name such as example.org.',
};
