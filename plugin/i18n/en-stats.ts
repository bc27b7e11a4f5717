/** English strings of the Statistics screen (the stats chunk). */
export const enStats = {
  statsChart: 'Quarantined mail per day, by type',
  statsTable: 'Numbers per day',
  period: 'Period',
  lastDays: 'Last {n} day|Last {n} days',
  day: 'Day',
  st_quarantined: 'Quarantined',
  topSenders: 'Top senders',
  topRecipients: 'Top recipients',
  topBasis: 'Top lists counted over the newest {n} messages.',
  upTo: 'Complete up to {time}.',
};
