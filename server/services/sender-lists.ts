import type { SessionUser } from '../../shared/session';
import type { BlockSenderResponse, SenderListChange, SenderListEntry, SenderListName, SenderListOwner, SenderListResponse } from '../../shared/sender-lists';
import { binaryText } from '../amavis/binary';
import { encodeMessageRef } from '../amavis/message-ref';
import type { AuditLog } from '../db/audit-log';
import { AppError } from '../errors';
import { EVERYONE, KEY_PRIORITY, kindOfKey, normalizeDomain, parseSenderKey, senderKeyOf } from '../lookup/lookup-keys';
import type { LookupStore, OwnerFilter, WbRow } from '../lookup/lookup-store';
import type { MessageService } from './messages';

/** Allow and block lists in amavis's own lookup tables (users, mailaddr, wblist): amavisd reads them for the next mail. */
export interface SenderListService {
  list(user: SessionUser): Promise<SenderListResponse>;
  add(user: SessionUser, input: { sender: string; list: SenderListName; for?: string | undefined }): Promise<SenderListChange>;
  remove(user: SessionUser, id: string): Promise<{ removed: number }>;
  fromMessage(
    user: SessionUser,
    messageId: string,
    list: SenderListName,
    options: { scope?: 'address' | 'domain' | undefined; for?: 'domain' | undefined },
  ): Promise<SenderListChange | BlockSenderResponse>;
}

const WB: Record<SenderListName, string> = { allow: 'W', block: 'B' };
const listOfWb = (wb: string): SenderListName | 'other' => (/^[WwYyTt]$/.test(wb) ? 'allow' : /^[BbNnFf]$/.test(wb) ? 'block' : 'other');
const MAX_ENTRIES = 2_000;
/** How many of the other copies from a blocked sender are counted and handed back for "delete them too". */
const MAX_OTHERS = 500;

/** A resolved owner: the users keys written, and how the entry is shown. */
interface Owner {
  keys: string[];
  view: SenderListOwner;
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

export function createSenderListService(deps: { lookup: LookupStore; messages: MessageService; audit: AuditLog }): SenderListService {
  const { lookup, messages, audit } = deps;
  const own = (user: SessionUser) => [...new Set(user.addresses.map((a) => a.toLowerCase()))];

  /** Who the session user may see and change, written into every query's WHERE. */
  function visible(user: SessionUser): OwnerFilter {
    if (user.role === 'super') return { keys: [], all: true };
    if (user.role === 'domain_admin') return { keys: [...own(user), ...user.domains.flatMap((d) => [`@${d}`, `@.${d}`])], addressDomains: user.domains };
    return { keys: own(user) };
  }

  const managesDomain = (user: SessionUser, domain: string) => user.role === 'super' || (user.role === 'domain_admin' && user.domains.includes(domain));

  /** Reads `for`: me (default), an address or @domain the user manages, or everyone (super users). */
  function ownerOf(user: SessionUser, target: string | undefined): Owner {
    const t = (target ?? 'me').trim().toLowerCase();
    if (t === 'me' || t === '') return { keys: own(user), view: { kind: 'me', key: own(user).join(', ') } };
    if (t === 'everyone') {
      if (user.role !== 'super') throw new AppError(403, 'forbidden', 'only super users can set entries for everyone');
      return { keys: [EVERYONE], view: { kind: 'everyone', key: EVERYONE } };
    }
    if (t.startsWith('@')) {
      // `@.domain` (the domain and its subdomains) is listed for a domain admin as well: it must be removable too.
      const subdomains = t.startsWith('@.');
      const domain = normalizeDomain(t.slice(subdomains ? 2 : 1));
      if (!domain) throw new AppError(400, 'validation_failed', `"${target}" is not a domain: use @example.com`);
      if (!managesDomain(user, domain)) throw new AppError(403, 'forbidden', `you do not administer ${domain}`);
      const key = `${subdomains ? '@.' : '@'}${domain}`;
      return { keys: [key], view: { kind: subdomains ? 'subdomains' : 'domain', key } };
    }
    const { key, kind } = parseSenderKey(t);
    if (kind !== 'address') throw new AppError(400, 'validation_failed', `"${target}" is not an address: use me, name@example.com, @example.com or everyone`);
    if (own(user).includes(key)) return { keys: [key], view: { kind: 'address', key } };
    if (!managesDomain(user, domainOf(key))) throw new AppError(403, 'forbidden', `you cannot set entries for ${key}`);
    return { keys: [key], view: { kind: 'address', key } };
  }

  const encodeId = (ownerKey: string, sender: string) => Buffer.from(JSON.stringify([ownerKey, sender]), 'utf8').toString('base64url');
  function decodeId(id: string): [string, string] {
    try {
      const value = JSON.parse(Buffer.from(id, 'base64url').toString('utf8')) as unknown;
      if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 255)) return value as [string, string];
    } catch {
      // falls through
    }
    throw new AppError(404, 'not_found', 'no such sender list entry');
  }

  /** One entry per sender for the user's own addresses; one per row for everyone else's. */
  function present(user: SessionUser, rows: WbRow[]): SenderListEntry[] {
    const mine = new Set(own(user));
    const out = new Map<string, SenderListEntry>();
    for (const row of rows) {
      const isMine = mine.has(row.owner);
      const ownerKey = isMine ? 'me' : row.owner;
      const mapKey = `${ownerKey}\n${row.sender}\n${row.wb}`;
      if (out.has(mapKey)) continue;
      out.set(mapKey, {
        id: encodeId(ownerKey, row.sender),
        sender: row.sender,
        senderKind: kindOfKey(row.sender),
        list: listOfWb(row.wb),
        wb: row.wb,
        for: isMine ? { kind: 'me', key: own(user).join(', ') } : { kind: kindOfKey(row.owner), key: row.owner },
      });
    }
    return [...out.values()];
  }

  async function write(user: SessionUser, owner: Owner, sender: string, list: SenderListName): Promise<SenderListChange> {
    const senderKind = kindOfKey(sender);
    const before = await lookup.transaction(async (t) => {
      const existing = await lookup.entriesOfSender(sender, { keys: owner.keys }, t);
      for (const key of owner.keys) {
        const rid = await lookup.ensureUser(key, KEY_PRIORITY[kindOfKey(key)], t);
        await lookup.setWb(rid, { key: sender, priority: KEY_PRIORITY[senderKind] }, WB[list], t);
      }
      return existing[0] ? listOfWb(existing[0].wb) : null;
    });
    await audit.record({
      actor: user.email,
      action: list === 'allow' ? 'allow_sender' : 'block_sender',
      ref: { partitionTag: 0, mailId: '' },
      recipient: owner.view.key.slice(0, 255),
      result: 'ok',
      detail: `${sender}: ${before ?? 'none'} → ${list}`,
    });
    const entry: SenderListEntry = { id: encodeId(owner.view.kind === 'me' ? 'me' : owner.view.key, sender), sender, senderKind, list, wb: WB[list], for: owner.view };
    return { entry, before };
  }

  /** The other copies from `sender` (an address, or a domain) in the user's quarantine, for "delete them too". */
  async function othersFrom(user: SessionUser, sender: string, except: string): Promise<BlockSenderResponse['others']> {
    const isDomain = sender.startsWith('@');
    const domain = isDomain ? sender.replace(/^@\.?/, '') : '';
    const matches = (address: string) => {
      const a = address.toLowerCase();
      if (!isDomain) return a === sender;
      const d = domainOf(a);
      return d === domain || (sender.startsWith('@.') && d.endsWith(`.${domain}`));
    };
    const ids: string[] = [];
    let cursor: string | undefined;
    let more = false;
    for (let page = 0; page < 10; page++) {
      const result = await messages.list(user, { limit: 100, from: isDomain ? domain : sender, cursor });
      for (const row of result.rows) {
        const id = encodeMessageRef({ partitionTag: Number(row.partition_tag), mailId: binaryText(row.mail_id), rseqnum: Number(row.rseqnum) });
        if (id !== except && matches(binaryText(row.sender) || '') && !ids.includes(id)) ids.push(id);
      }
      cursor = result.nextCursor ?? undefined;
      if (!cursor) break;
      if (ids.length >= MAX_OTHERS) {
        more = true;
        break;
      }
    }
    return { count: Math.min(ids.length, MAX_OTHERS), ids: ids.slice(0, MAX_OTHERS), more: more || ids.length > MAX_OTHERS };
  }

  return {
    async list(user) {
      const rows = await lookup.entries(visible(user), MAX_ENTRIES + 1);
      return { items: present(user, rows.slice(0, MAX_ENTRIES)), truncated: rows.length > MAX_ENTRIES };
    },

    async add(user, input) {
      const owner = ownerOf(user, input.for);
      return write(user, owner, parseSenderKey(input.sender).key, input.list);
    },

    async remove(user, id) {
      const [ownerKey, sender] = decodeId(id);
      // The id only names the entry: whose it may be is checked again here, and in the statement itself.
      const owner = ownerKey === 'me' ? ownerOf(user, 'me') : ownerOf(user, ownerKey === EVERYONE ? 'everyone' : ownerKey);
      const removed = await lookup.transaction(async (t) => {
        const rows = await lookup.entriesOfSender(sender, { keys: owner.keys }, t);
        for (const row of rows) await lookup.removeWb(row, t);
        return rows;
      });
      if (!removed.length) throw new AppError(404, 'not_found', 'no such sender list entry');
      await audit.record({
        actor: user.email,
        action: 'unlist_sender',
        ref: { partitionTag: 0, mailId: '' },
        recipient: owner.view.key.slice(0, 255),
        result: 'ok',
        detail: `${sender}: ${listOfWb(removed[0]?.wb ?? '')} → none`,
      });
      return { removed: removed.length };
    },

    async fromMessage(user, messageId, list, options) {
      const { row } = await messages.findAccessible(user, messageId);
      const address = binaryText(row.sender) || extractAddress(row.from_addr);
      if (!address) throw new AppError(422, 'validation_failed', 'this message has no sender address to allow or block');
      const sender = senderKeyOf(address, options.scope ?? 'address').key;
      const recipient = binaryText(row.recipient).toLowerCase();
      let owner: Owner;
      if (options.for === 'domain') owner = ownerOf(user, `@${domainOf(recipient)}`);
      else if (await messages.isOwnCopy(user, row)) owner = ownerOf(user, 'me');
      else owner = ownerOf(user, recipient);
      const change = await write(user, owner, sender, list);
      if (list === 'allow') return change;
      return { ...change, others: await othersFrom(user, sender, messageId) };
    },
  };
}

/** The address in a From header value (`"Name" <a@b>` or `a@b`); '' if there is none. */
function extractAddress(from: string | Buffer | null | undefined): string {
  const text = binaryText(from ?? null);
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(text) ?? /([^\s<>"]+@[^\s<>"]+)/.exec(text);
  return m?.[1] ?? '';
}
