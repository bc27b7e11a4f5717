import type { MessageStatus, QuarantineItem } from '../../shared/quarantine';

/** The languages of the self-service page, chosen by Accept-Language. */
export const PAGE_LOCALES = ['en', 'de', 'fr'] as const;
export type PageLocale = (typeof PAGE_LOCALES)[number];

/** The words of the self-service page in one language. */
export interface PageStrings {
  title: string;
  intro: string;
  from: string;
  subject: string;
  date: string;
  type: string;
  recipient: string;
  status: string;
  noSubject: string;
  viewOnly: string;
  noActions: string;
  actions: Record<'release' | 'request' | 'delete' | 'allow' | 'block', string>;
  done: Record<'release' | 'request' | 'delete' | 'allow' | 'block', string>;
  failed: string;
  errors: Record<'not_found' | 'expired' | 'invalid' | 'conflict' | 'gone' | 'too_many_attempts' | 'forbidden' | 'unavailable' | 'other', string>;
  types: Record<QuarantineItem['type'], string>;
  statuses: Record<MessageStatus, string>;
}

/** The page's words; user words, never amavis's letters. */
export const PAGE_STRINGS: Record<PageLocale, PageStrings> = {
  en: {
    title: 'Quarantined message',
    intro: 'This message was held back by the mail filter.',
    from: 'From',
    subject: 'Subject',
    date: 'Received',
    type: 'Why',
    recipient: 'To',
    status: 'Status',
    noSubject: '(no subject)',
    viewOnly: 'This link can only show the message. Sign in to your webmail to release or delete it.',
    noActions: 'There is nothing more you can do with this message here.',
    actions: {
      release: 'Release to my inbox',
      request: 'Ask an administrator to release it',
      delete: 'Delete',
      allow: 'Always allow this sender',
      block: 'Block this sender',
    },
    done: {
      release: 'The message was delivered to your inbox.',
      request: 'Your request was sent. An administrator will decide.',
      delete: 'The message was deleted.',
      allow: 'The sender is on your allow list: their next mail reaches your inbox.',
      block: 'The sender is on your block list: their next mail is refused.',
    },
    failed: 'That did not work',
    errors: {
      not_found: 'This link is not valid (any more).',
      expired: 'This link has expired. Sign in to your webmail to see your quarantine.',
      invalid: 'This link is not valid: it was changed, cut short, or made for someone else.',
      conflict: 'This message was changed meanwhile; open the link again.',
      gone: 'This message is no longer kept.',
      too_many_attempts: 'Too many requests. Try again in a minute.',
      forbidden: 'This action is not allowed from this page.',
      unavailable: 'The mail system could not be reached. Nothing was changed; try again later.',
      other: 'Something went wrong. Try again later.',
    },
    types: {
      spam: 'Spam',
      spammy: 'Probably spam',
      virus: 'Virus',
      banned: 'Blocked attachment',
      'bad-header': 'Bad header',
      'bad-mime': 'Bad MIME structure',
      oversized: 'Too large',
      unchecked: 'Could not be checked',
      other: 'Other',
    },
    statuses: { new: 'New', viewed: 'Viewed', released: 'Released', requested: 'Release requested', deleted: 'Deleted' },
  },
  de: {
    title: 'Nachricht in Quarantäne',
    intro: 'Diese Nachricht wurde vom Mailfilter zurückgehalten.',
    from: 'Von',
    subject: 'Betreff',
    date: 'Empfangen',
    type: 'Grund',
    recipient: 'An',
    status: 'Status',
    noSubject: '(kein Betreff)',
    viewOnly: 'Mit diesem Link kann die Nachricht nur angezeigt werden. Melden Sie sich im Webmail an, um sie freizugeben oder zu löschen.',
    noActions: 'Mit dieser Nachricht ist hier nichts weiter möglich.',
    actions: {
      release: 'In meinen Posteingang zustellen',
      request: 'Freigabe beim Administrator anfragen',
      delete: 'Löschen',
      allow: 'Diesen Absender immer erlauben',
      block: 'Diesen Absender sperren',
    },
    done: {
      release: 'Die Nachricht wurde in Ihren Posteingang zugestellt.',
      request: 'Ihre Anfrage wurde gesendet. Ein Administrator entscheidet darüber.',
      delete: 'Die Nachricht wurde gelöscht.',
      allow: 'Der Absender steht auf Ihrer Erlaubt-Liste: seine nächste Mail erreicht Ihren Posteingang.',
      block: 'Der Absender steht auf Ihrer Sperrliste: seine nächste Mail wird abgewiesen.',
    },
    failed: 'Das hat nicht geklappt',
    errors: {
      not_found: 'Dieser Link ist nicht (mehr) gültig.',
      expired: 'Dieser Link ist abgelaufen. Melden Sie sich im Webmail an, um Ihre Quarantäne zu sehen.',
      invalid: 'Dieser Link ist ungültig: er wurde verändert, abgeschnitten oder für jemand anderen erstellt.',
      conflict: 'Die Nachricht wurde inzwischen geändert; öffnen Sie den Link erneut.',
      gone: 'Diese Nachricht wird nicht mehr aufbewahrt.',
      too_many_attempts: 'Zu viele Anfragen. Versuchen Sie es in einer Minute erneut.',
      forbidden: 'Diese Aktion ist auf dieser Seite nicht erlaubt.',
      unavailable: 'Das Mailsystem ist nicht erreichbar. Es wurde nichts geändert; versuchen Sie es später erneut.',
      other: 'Etwas ist schiefgegangen. Versuchen Sie es später erneut.',
    },
    types: {
      spam: 'Spam',
      spammy: 'Wahrscheinlich Spam',
      virus: 'Virus',
      banned: 'Gesperrter Anhang',
      'bad-header': 'Fehlerhafter Header',
      'bad-mime': 'Fehlerhafte MIME-Struktur',
      oversized: 'Zu groß',
      unchecked: 'Nicht prüfbar',
      other: 'Sonstiges',
    },
    statuses: { new: 'Neu', viewed: 'Angesehen', released: 'Freigegeben', requested: 'Freigabe angefragt', deleted: 'Gelöscht' },
  },
  fr: {
    title: 'Message en quarantaine',
    intro: 'Ce message a été retenu par le filtre de messagerie.',
    from: 'De',
    subject: 'Objet',
    date: 'Reçu',
    type: 'Motif',
    recipient: 'À',
    status: 'État',
    noSubject: '(sans objet)',
    viewOnly: 'Ce lien permet seulement d’afficher le message. Connectez-vous à votre webmail pour le libérer ou le supprimer.',
    noActions: 'Il n’y a plus rien à faire avec ce message ici.',
    actions: {
      release: 'Livrer dans ma boîte de réception',
      request: 'Demander la libération à un administrateur',
      delete: 'Supprimer',
      allow: 'Toujours autoriser cet expéditeur',
      block: 'Bloquer cet expéditeur',
    },
    done: {
      release: 'Le message a été livré dans votre boîte de réception.',
      request: 'Votre demande a été envoyée. Un administrateur décidera.',
      delete: 'Le message a été supprimé.',
      allow: 'L’expéditeur est sur votre liste autorisée : son prochain message arrivera dans votre boîte.',
      block: 'L’expéditeur est sur votre liste bloquée : son prochain message sera refusé.',
    },
    failed: 'Cela n’a pas fonctionné',
    errors: {
      not_found: 'Ce lien n’est pas (ou plus) valide.',
      expired: 'Ce lien a expiré. Connectez-vous à votre webmail pour voir votre quarantaine.',
      invalid: 'Ce lien n’est pas valide : il a été modifié, tronqué ou créé pour quelqu’un d’autre.',
      conflict: 'Ce message a été modifié entre-temps ; ouvrez le lien à nouveau.',
      gone: 'Ce message n’est plus conservé.',
      too_many_attempts: 'Trop de requêtes. Réessayez dans une minute.',
      forbidden: 'Cette action n’est pas permise depuis cette page.',
      unavailable: 'Le système de messagerie est injoignable. Rien n’a été modifié ; réessayez plus tard.',
      other: 'Une erreur est survenue. Réessayez plus tard.',
    },
    types: {
      spam: 'Spam',
      spammy: 'Probablement du spam',
      virus: 'Virus',
      banned: 'Pièce jointe bloquée',
      'bad-header': 'En-tête incorrect',
      'bad-mime': 'Structure MIME incorrecte',
      oversized: 'Trop volumineux',
      unchecked: 'Non vérifiable',
      other: 'Autre',
    },
    statuses: { new: 'Nouveau', viewed: 'Consulté', released: 'Libéré', requested: 'Libération demandée', deleted: 'Supprimé' },
  },
};
