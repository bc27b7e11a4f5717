/**
 * Words the generator builds addresses, names and subjects from. None contains a tab, a newline or a
 * backslash: they go into LOAD DATA's tab-separated text as they are. The lists are wrapped by hand
 * (`// prettier-ignore`): Prettier would put each word on a line of its own.
 */
// prettier-ignore
export const FIRST_NAMES = [
  'anna', 'ben', 'carla', 'david', 'emma', 'felix', 'greta', 'hugo', 'ines', 'jonas', 'karin', 'lars',
  'maria', 'nils', 'olga', 'paul', 'rosa', 'sven', 'tina', 'uwe', 'vera', 'walter', 'yusuf', 'zoe',
  'amelie', 'bruno', 'chloe', 'dmitri', 'elena', 'farid', 'giulia', 'hannah', 'igor', 'julia', 'kemal',
  'lucia', 'marco', 'nora', 'oskar', 'petra', 'raphael', 'sofia', 'tomas', 'ulla', 'viktor', 'wen',
] as const;

// prettier-ignore
export const LAST_NAMES = [
  'smith', 'mueller', 'rossi', 'garcia', 'novak', 'dubois', 'jensen', 'kowalski', 'silva', 'nakamura',
  'schmidt', 'bianchi', 'martin', 'horvat', 'nielsen', 'fischer', 'lopez', 'weber', 'meyer', 'wagner',
  'becker', 'hoffmann', 'schulz', 'koch', 'richter', 'klein', 'wolf', 'neumann', 'schwarz', 'braun',
] as const;

// prettier-ignore
export const SENDER_WORDS = [
  'news', 'info', 'offers', 'deals', 'support', 'billing', 'noreply', 'promo', 'alerts', 'service',
  'team', 'hello', 'sales', 'admin', 'security', 'account', 'rewards', 'winner', 'pharmacy', 'loans',
] as const;

// prettier-ignore
export const SENDER_DOMAIN_WORDS = [
  'mail', 'shop', 'bulk', 'secure', 'cheap', 'best', 'global', 'prime', 'smart', 'web', 'cloud', 'fast',
  'top', 'mega', 'super', 'daily', 'online', 'trade', 'direct', 'net',
] as const;

export const TLDS = ['com', 'net', 'org', 'info', 'biz', 'ru', 'cn', 'de', 'top', 'xyz', 'co.uk', 'com.br'] as const;

// prettier-ignore
export const DISPLAY_NAMES = [
  'Customer Service', 'Account Team', 'PayPal', 'DHL Express', 'Amazon', 'Your Bank', 'HR Department',
  'Microsoft 365', 'Netflix', 'Apple Support', 'Lottery Board', 'Dr. Williams', 'Crypto Wallet',
  'Équipe Sécurité', 'Служба поддержки', '顧客サービス', 'Paket Zustellung', 'IT Helpdesk',
] as const;

// prettier-ignore
export const SPAM_SUBJECTS = [
  'Your account has been suspended', 'Invoice {n} overdue', 'You have won a prize', 'Limited offer: {n}% off',
  'Re: your order {n}', 'Package delivery failed', 'Verify your mailbox now', 'Cheap meds, no prescription',
  'Urgent business proposal', 'Your password expires today', 'Special offer for you', 'Loan approved: {n} EUR',
  'Crypto investment opportunity', 'Meet singles near you', 'Final notice {n}', 'Votre colis est en attente',
  'Ваш заказ №{n} подтверждён', 'Rechnung {n} vom Kundenservice', 'お支払い情報の更新', 'Hot offer inside',
] as const;

// prettier-ignore
export const HAM_SUBJECTS = [
  'Meeting notes', 'Re: project plan', 'Lunch on Friday?', 'Quarterly report {n}', 'Weekly newsletter',
  'Fwd: contract draft', 'Holiday schedule', 'Re: Re: budget {n}', 'Invitation: team call', 'Photos',
] as const;

// prettier-ignore
export const ATTACHMENT_SUBJECTS = [
  'Scanned document {n}', 'Invoice attached', 'Payment advice {n}', 'Your order receipt', 'Fax message',
] as const;

/** Plus-extensions (local+ext@domain) some users hand out; amavis stores each as its own maddr row. */
export const PLUS_TAGS = ['lists', 'shop', 'spam'] as const;
