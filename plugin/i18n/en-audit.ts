/** English strings of the Audit log screen (the audit chunk). */
export const enAudit = {
  actor: 'Who',
  action: 'What',
  result: 'Result',
  allActions: 'All actions',
  newer: 'Newer',
  older: 'Older',
};
