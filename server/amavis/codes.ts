import type { MessageStatus, MessageType } from '../../shared/quarantine';

/** amavis content codes and the user words for them. */
export const TYPE_TO_CONTENT: Record<MessageType, string> = {
  spam: 'S',
  spammy: 'Y',
  virus: 'V',
  banned: 'B',
  'bad-header': 'H',
  'bad-mime': 'M',
  oversized: 'O',
  unchecked: 'U',
};

const CONTENT_TO_TYPE = new Map(Object.entries(TYPE_TO_CONTENT).map(([type, code]) => [code, type as MessageType]));

/** The user word for a content code ('other' for clean, MTA error and unknown codes). */
export function typeOfContent(content: string | null | undefined): MessageType | 'other' {
  // amavisd before 2.7 wrote spammy as lowercase 's'.
  if (content === 's') return 'spammy';
  return CONTENT_TO_TYPE.get(content ?? '') ?? 'other';
}

/**
 * msgrcpt.rs values per status. amavisd writes blank; the letters are shared with other quarantine
 * managers (MailZu writes lowercase 'v'), so we read all of them and write only V, R, p and D.
 */
export const STATUS_TO_RS: Record<MessageStatus, readonly string[]> = {
  new: ['', ' '],
  viewed: ['V', 'v'],
  released: ['R'],
  requested: ['p'],
  deleted: ['D'],
};

/** The status word for an rs value (an unknown letter counts as viewed: someone touched it). */
export function statusOfRs(rs: string | null | undefined): MessageStatus {
  const value = rs ?? '';
  for (const [status, codes] of Object.entries(STATUS_TO_RS)) if (codes.includes(value)) return status as MessageStatus;
  return 'viewed';
}
