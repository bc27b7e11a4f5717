import type { Sequelize } from 'sequelize';
import { createCopyStore, type CopyStore } from './copies';
import { createQuarantineLister, type QuarantineLister } from './listing';
import { createMessageFactsReader, type MessageFactsReader } from './message-facts';
import { createRecipientIdResolver, type RecipientIdResolver } from './recipient-ids';
import { createRsWriter, type RsWriter } from './rs';

/**
 * Everything the services may do with amavis's storage tables (maddr, msgs, msgrcpt, quarantine). This
 * folder is the only code that holds SQL on them, so dialect differences live here and nowhere else.
 */
export interface AmavisStore {
  /** Users' addresses and admins' domains as maddr ids. */
  recipients: RecipientIdResolver;
  listing: QuarantineLister;
  copies: CopyStore;
  /** The one guarded writer of msgrcpt.rs. */
  rs: RsWriter;
  /** Subjects, types and scores of the messages an admin screen names. */
  facts: MessageFactsReader;
}

/** Creates the store on the amavis storage database (no connection is opened until first use). */
export function createAmavisStore(sequelize: Sequelize, options: { recipientDelimiter?: string | undefined } = {}): AmavisStore {
  const recipients = createRecipientIdResolver(sequelize);
  return {
    recipients,
    listing: createQuarantineLister(sequelize, { resolver: recipients, recipientDelimiter: options.recipientDelimiter }),
    copies: createCopyStore(sequelize),
    rs: createRsWriter(sequelize),
    facts: createMessageFactsReader(sequelize),
  };
}
