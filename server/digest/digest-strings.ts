import type { DigestLanguage } from '../../shared/digest';

/** The words of a digest mail in one language (the type names come from the self-service page's strings). */
export interface DigestStrings {
  subject: (n: number) => string;
  heading: string;
  intro: (n: number) => string;
  type: string;
  from: string;
  subjectLabel: string;
  score: string;
  received: string;
  purgedIn: (days: number) => string;
  noSubject: string;
  actions: Record<'release' | 'request' | 'delete' | 'allow' | 'block', string>;
  more: (n: number) => string;
  open: string;
  unconfirmed: string;
  footer: string;
}

/** The digest's words; user words, never amavis's letters. */
export const DIGEST_STRINGS: Record<DigestLanguage, DigestStrings> = {
  en: {
    subject: (n) => (n === 1 ? 'Quarantine: 1 new message held for you' : `Quarantine: ${n} new messages held for you`),
    heading: 'Your quarantine',
    intro: (n) =>
      n === 1 ? 'The mail filter held back 1 message for you since your last digest.' : `The mail filter held back ${n} messages for you since your last digest.`,
    type: 'Why',
    from: 'From',
    subjectLabel: 'Subject',
    score: 'Score',
    received: 'Received',
    purgedIn: (d) => (d <= 0 ? 'deleted today' : d === 1 ? 'deleted in 1 day' : `deleted in ${d} days`),
    noSubject: '(no subject)',
    actions: { release: 'Release', request: 'Request release', delete: 'Delete', allow: 'Always allow sender', block: 'Block sender' },
    more: (n) => (n === 1 ? 'and 1 more message' : `and ${n} more messages`),
    open: 'Open your quarantine',
    unconfirmed: 'Also listed because the previous digest may not have reached you.',
    footer: 'Each link opens a page that asks you to confirm; nothing happens by just opening it. Change how often you get this mail in your quarantine’s settings.',
  },
  de: {
    subject: (n) => (n === 1 ? 'Quarantäne: 1 neue Nachricht zurückgehalten' : `Quarantäne: ${n} neue Nachrichten zurückgehalten`),
    heading: 'Ihre Quarantäne',
    intro: (n) =>
      n === 1
        ? 'Der Mailfilter hat seit Ihrer letzten Übersicht 1 Nachricht für Sie zurückgehalten.'
        : `Der Mailfilter hat seit Ihrer letzten Übersicht ${n} Nachrichten für Sie zurückgehalten.`,
    type: 'Grund',
    from: 'Von',
    subjectLabel: 'Betreff',
    score: 'Wertung',
    received: 'Empfangen',
    purgedIn: (d) => (d <= 0 ? 'wird heute gelöscht' : d === 1 ? 'wird in 1 Tag gelöscht' : `wird in ${d} Tagen gelöscht`),
    noSubject: '(kein Betreff)',
    actions: { release: 'Zustellen', request: 'Freigabe anfragen', delete: 'Löschen', allow: 'Absender immer erlauben', block: 'Absender sperren' },
    more: (n) => (n === 1 ? 'und 1 weitere Nachricht' : `und ${n} weitere Nachrichten`),
    open: 'Quarantäne öffnen',
    unconfirmed: 'Erneut aufgeführt, weil die vorige Übersicht Sie vielleicht nicht erreicht hat.',
    footer:
      'Jeder Link öffnet eine Seite, auf der Sie bestätigen; das Öffnen allein ändert nichts. Wie oft Sie diese Mail bekommen, stellen Sie in Ihrer Quarantäne ein.',
  },
  fr: {
    subject: (n) => (n === 1 ? 'Quarantaine : 1 nouveau message retenu' : `Quarantaine : ${n} nouveaux messages retenus`),
    heading: 'Votre quarantaine',
    intro: (n) =>
      n === 1 ? 'Le filtre a retenu 1 message pour vous depuis votre dernier résumé.' : `Le filtre a retenu ${n} messages pour vous depuis votre dernier résumé.`,
    type: 'Motif',
    from: 'De',
    subjectLabel: 'Objet',
    score: 'Score',
    received: 'Reçu',
    purgedIn: (d) => (d <= 0 ? 'supprimé aujourd’hui' : d === 1 ? 'supprimé dans 1 jour' : `supprimé dans ${d} jours`),
    noSubject: '(sans objet)',
    actions: { release: 'Livrer', request: 'Demander la libération', delete: 'Supprimer', allow: 'Toujours autoriser l’expéditeur', block: 'Bloquer l’expéditeur' },
    more: (n) => (n === 1 ? 'et 1 autre message' : `et ${n} autres messages`),
    open: 'Ouvrir la quarantaine',
    unconfirmed: 'Listé de nouveau car le résumé précédent ne vous est peut-être pas parvenu.',
    footer: 'Chaque lien ouvre une page de confirmation ; l’ouvrir seul ne change rien. Réglez la fréquence de ce message dans les paramètres de votre quarantaine.',
  },
};
