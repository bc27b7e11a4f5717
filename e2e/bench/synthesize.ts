import { createHash } from 'node:crypto';
import { createRandom, createWeightedSampler, type Random } from './prng';
import * as words from './vocabulary';

/** What decides the generated data. Equal parameters give an equal database (up to `endTime`). */
export interface BenchParams {
  /** Rows in msgs (1M by default). */
  msgs: number;
  /** Local users (recipients); 1 for every 50 msgs by default, so 20k for 1M. */
  users: number;
  /** Local domains example0.test … exampleN-1.test. */
  domains: number;
  /** Days of traffic, ending at `endTime`. */
  days: number;
  seed: number;
  /** Bumped when the generator's output changes, so old databases get regenerated. */
  generator: number;
}

/** One local user's address and how many msgrcpt rows it got. */
export interface BenchUser {
  email: string;
  domain: string;
  /** msgrcpt rows whose rid is this exact address (any partition_tag), every content. */
  rows: number;
  /** Of those, rows of quarantined mail (msgs.quar_type = 'Q'). */
  quarantined: number;
}

/**
 * Tab-separated rows for LOAD DATA and COPY, in arrival order, as amavisd inserts them (maddr in id
 * order, which is the order of first use). Each line starts with its table's primary key.
 */
export interface SynthesizedData {
  maddr: string[];
  msgs: string[];
  msgrcpt: string[];
  users: BenchUser[];
}

export const MADDR_COLUMNS = ['partition_tag', 'id', 'email', 'domain'] as const;
// The column lists and the rows below are wrapped by hand, so a row reads against its columns.
// prettier-ignore
export const MSGS_COLUMNS = [
  'partition_tag', 'mail_id', 'secret_id', 'am_id', 'time_num', 'time_iso', 'sid', 'policy', 'client_addr',
  'size', 'originating', 'content', 'quar_type', 'quar_loc', 'dsn_sent', 'spam_level', 'message_id',
  'from_addr', 'subject', 'host',
] as const;
// prettier-ignore
export const MSGRCPT_COLUMNS = [
  'partition_tag', 'mail_id', 'rseqnum', 'rid', 'is_local', 'content', 'ds', 'rs', 'bl', 'wl', 'bspam_level',
  'smtp_resp',
] as const;

const NULL = '\\N';
// content codes and their share of msgs (NULL: amavisd is still processing, or crashed before the update).
const CONTENTS = ['S', 'Y', 'C', 'H', 'B', 'M', 'V', 'O', 'U', null] as const;
const CONTENT_WEIGHTS = [42, 26, 20, 4, 3, 2, 1, 0.5, 0.5, 1];
// Recipients per inbound message: mostly one, a few with several, so msgrcpt ≈ 1.2 × msgs.
const RCPT_COUNTS = [1, 2, 3, 4, 5, 6, 7, 8];
const RCPT_WEIGHTS = [88, 8, 2.5, 0.5, 0.4, 0.3, 0.2, 0.1];
// Release status of quarantined rows; amavisd writes blank, the quarantine managers the rest.
const RS_VALUES = ['', 'V', 'D', 'R', 'p'];
const RS_WEIGHTS = [86, 8, 3, 2, 1];
const ROLE_ACCOUNTS = ['info', 'sales', 'contact'];

/** The default parameters for a database of `msgs` messages. */
export function defaultParams(msgs = 1_000_000): BenchParams {
  return { msgs, users: Math.max(100, Math.round(msgs / 50)), domains: 10, days: 30, seed: 20_250_101, generator: 1 };
}

/** amavis stores maddr.domain with its labels reversed: example0.test → test.example0. */
export function reverseDomain(domain: string): string {
  return domain.split('.').reverse().join('.');
}

/** The ISO 8601 week number: what `$partition_tag = sub { iso8601_week(...) }` setups use. */
export function isoWeek(unixSeconds: number): number {
  const date = new Date(unixSeconds * 1000);
  const day = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - day + 3);
  const firstThursday = new Date(Date.UTC(date.getUTCFullYear(), 0, 4));
  return 1 + Math.round(((date.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
}

/** amavis's iso8601_utc_timestamp: 20250101T123456Z. */
function timeIso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Arrival times, ascending, over `days` ending at `endTime`: exponential gaps with a daily rhythm, and
 * 40% of messages in the same second as the one before (bursts, multi-part campaigns), so that many
 * msgs share a time_num: a keyset cursor on time_num alone would skip or repeat rows.
 */
function arrivalTimes(random: Random, params: BenchParams, endTime: number): Uint32Array {
  const n = params.msgs;
  const span = params.days * 86_400;
  const start = endTime - span;
  const offsets = new Float64Array(n);
  let x = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && random.next() >= 0.4) {
      const hour = (((i / n) * span) / 3600) % 24;
      const rate = 1 + 0.5 * Math.cos((2 * Math.PI * (hour - 14)) / 24);
      x += -Math.log(1 - random.next()) / rate;
    }
    offsets[i] = x;
  }
  const scale = x > 0 ? (span - 1) / x : 0;
  const times = new Uint32Array(n);
  for (let i = 0; i < n; i++) times[i] = start + Math.floor((offsets[i] as number) * scale);
  return times;
}

/** Generates the whole amavis database as LOAD DATA rows, deterministically from `params.seed`. */
export function synthesize(params: BenchParams, endTime: number): SynthesizedData {
  const random = createRandom(params.seed);
  const domains = Array.from({ length: params.domains }, (_, d) => `example${d}.test`);
  const users = createLocalUsers(random, params, domains);
  // Zipf-like skew over users (rank 0 heaviest) blended with a log-normal spread, so the heaviest
  // addresses get tens of thousands of rows at 1M msgs while the median user gets a few dozen.
  const zipfTotal = users.reduce((sum, _, k) => sum + 1 / (k + 1), 0);
  const spread = users.map(() => Math.exp(random.gaussian()));
  const spreadTotal = spread.reduce((a, b) => a + b, 0);
  const pickUser = createWeightedSampler(users.map((_, k) => 0.5 / (k + 1) / zipfTotal + (0.5 * (spread[k] as number)) / spreadTotal));
  const pickContent = createWeightedSampler(CONTENT_WEIGHTS);
  const pickRcptCount = createWeightedSampler(RCPT_WEIGHTS);
  const pickRs = createWeightedSampler(RS_WEIGHTS);
  const plusUsers = new Set(users.map((_, k) => k).filter((k) => k >= 3 * params.domains && random.next() < 0.05));

  const senderPool = Math.max(50, Math.round(params.msgs * 0.35));
  const foreignPool = Math.max(20, Math.round(params.msgs * 0.02));
  const maddr: string[] = [];
  const ids = new Map<number, Map<number, number>>();
  // maddr ids are handed out on first use per partition_tag, as amavisd does: ids interleave in time.
  const addressId = (partition: number, key: number, email: () => string): number => {
    let byKey = ids.get(partition);
    if (!byKey) ids.set(partition, (byKey = new Map<number, number>()));
    let id = byKey.get(key);
    if (id === undefined) {
      id = maddr.length + 1;
      byKey.set(key, id);
      const address = email();
      maddr.push(`${partition}\t${id}\t${address}\t${reverseDomain(address.slice(address.indexOf('@') + 1))}`);
    }
    return id;
  };
  const localKey = (user: number, plus: number) => user * 4 + plus;
  const localEmail = (user: number, plus: number) => () => {
    const u = users[user] as BenchUser;
    if (plus === 0) return u.email;
    const at = u.email.indexOf('@');
    return `${u.email.slice(0, at)}+${words.PLUS_TAGS[plus - 1]}${u.email.slice(at)}`;
  };
  const foreignKey = (f: number) => 4 * users.length + f;
  const senderKey = (s: number) => 4 * users.length + foreignPool + s;

  const times = arrivalTimes(random, params, endTime);
  const partitionedFrom = endTime - Math.round(params.days * 86_400 * 0.05);
  const msgs: string[] = [];
  const msgrcpt: string[] = [];
  for (let i = 0; i < params.msgs; i++) {
    const time = times[i] as number;
    // A site that switched on week-number partition tags lately: the newest 5% carry the ISO week.
    const partition = time >= partitionedFrom ? isoWeek(time) : 0;
    const secret = random.bytes(9);
    const secretId = secret.toString('base64url');
    const mailId = createHash('md5').update(secret).digest('base64url').slice(0, 12);
    const amId = `${10_000 + (Math.floor(i / 40) % 50_000)}-${String((i % 40) + 1).padStart(2, '0')}`;
    const content = CONTENTS[pickContent(random.next())] ?? null;
    const originating = content !== null && random.next() < 0.02;
    const host = random.next() < 0.5 ? 'mx1.bench.test' : 'mx2.bench.test';
    const clientAddr = `${1 + random.int(223)}.${random.int(256)}.${random.int(256)}.${1 + random.int(254)}`;
    const size = Math.min(20_000_000, Math.max(600, Math.round(Math.exp(8.7 + 1.1 * random.gaussian()))));

    let sid: number;
    let fromAddr: string;
    let senderDomain: string;
    if (originating) {
      const user = pickUser(random.next());
      sid = addressId(partition, localKey(user, 0), localEmail(user, 0));
      const u = users[user] as BenchUser;
      fromAddr = `"${u.email.split('@')[0]}" <${u.email}>`;
      senderDomain = u.domain;
    } else if (random.next() < 0.02) {
      sid = addressId(partition, -1, () => '');
      fromAddr = `"Mail Delivery System" <MAILER-DAEMON@${host}>`;
      senderDomain = host;
    } else {
      const s = Math.floor(senderPool * random.next() ** 1.6);
      const email = senderEmail(s, params.seed);
      sid = addressId(partition, senderKey(s), () => email);
      senderDomain = email.slice(email.indexOf('@') + 1);
      const style = random.next();
      fromAddr = style < 0.7 ? `"${random.pick(words.DISPLAY_NAMES)}" <${email}>` : style < 0.9 ? email : `<${email}>`;
    }

    if (content === null) {
      // Still being processed: amavisd has written the first msgs row only, and no msgrcpt rows yet.
      msgs.push([partition, mailId, secretId, amId, time, timeIso(time), sid, '', clientAddr, size, '', NULL, NULL, '', NULL, NULL, '', '', '', host].join('\t'));
      continue;
    }
    const quarantined = originating ? content !== 'C' : content !== 'C' && (content !== 'Y' || random.next() < 0.5);
    const spamLevel = spamLevelFor(random, content);
    const subject = subjectFor(random, content);
    const messageId = `<${random.bytes(8).toString('hex')}.${i.toString(36)}@${senderDomain}>`;
    // prettier-ignore
    msgs.push([
      partition, mailId, secretId, amId, time, timeIso(time), sid, originating ? 'ORIGINATING' : '', clientAddr, size,
      originating ? 'Y' : 'N', content, quarantined ? 'Q' : '', quarantined ? mailId : '', 'N', spamLevel, messageId,
      fromAddr, subject, host,
    ].join('\t'));

    const ds = quarantined && content !== 'Y' ? 'D' : 'P';
    const smtpResp =
      ds === 'D'
        ? `250 2.7.0 Ok, discarded, id=${amId} - ${content === 'S' ? 'spam' : 'blocked'}`
        : `250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as ${mailId.slice(0, 10).toUpperCase()}`;
    const rowFor = (rseqnum: number, rid: number, isLocal: string) => {
      const rs = quarantined ? (RS_VALUES[pickRs(random.next())] as string) : '';
      return [partition, mailId, rseqnum, rid, isLocal, content, ds, rs, '', '', spamLevel, smtpResp].join('\t');
    };
    if (originating) {
      const f = random.int(foreignPool);
      msgrcpt.push(
        rowFor(
          1,
          addressId(partition, foreignKey(f), () => foreignEmail(f)),
          'N',
        ),
      );
      continue;
    }
    const count = RCPT_COUNTS[pickRcptCount(random.next())] as number;
    const chosen: number[] = [];
    for (let tries = 0; chosen.length < count && tries < count * 10; tries++) {
      const user = pickUser(random.next());
      if (!chosen.includes(user)) chosen.push(user);
    }
    chosen.forEach((user, k) => {
      const plus = plusUsers.has(user) && random.next() < 0.25 ? 1 + random.int(words.PLUS_TAGS.length) : 0;
      msgrcpt.push(rowFor(k + 1, addressId(partition, localKey(user, plus), localEmail(user, plus)), 'Y'));
      if (plus === 0) {
        const u = users[user] as BenchUser;
        u.rows++;
        if (quarantined) u.quarantined++;
      }
    });
  }
  return { maddr, msgs, msgrcpt, users };
}

function createLocalUsers(random: Random, params: BenchParams, domains: string[]): BenchUser[] {
  const pickDomain = createWeightedSampler(domains.map((_, d) => 1 / (d + 1) ** 0.7));
  const taken = new Set<string>();
  const users: BenchUser[] = [];
  for (let k = 0; k < params.users; k++) {
    let email: string;
    let domain: string;
    if (k < ROLE_ACCOUNTS.length * domains.length) {
      // The heaviest addresses of real sites are role accounts, spammed by every harvester.
      domain = domains[k % domains.length] as string;
      email = `${ROLE_ACCOUNTS[Math.floor(k / domains.length)]}@${domain}`;
    } else {
      domain = domains[pickDomain(random.next())] as string;
      const base = `${random.pick(words.FIRST_NAMES)}.${random.pick(words.LAST_NAMES)}`;
      let local = base;
      for (let n = 2; taken.has(`${local}@${domain}`); n++) local = `${base}${n}`;
      email = `${local}@${domain}`;
    }
    taken.add(email);
    users.push({ email, domain, rows: 0, quarantined: 0 });
  }
  return users;
}

/** A distinct external sender for each index (the index is part of the address, so no collisions). */
function senderEmail(s: number, seed: number): string {
  const r = createRandom(seed ^ (s * 2_654_435_761));
  return `${r.pick(words.SENDER_WORDS)}.${s.toString(36)}@${r.pick(words.SENDER_DOMAIN_WORDS)}${r.int(100)}.${r.pick(words.TLDS)}`;
}

function foreignEmail(f: number): string {
  return `${words.FIRST_NAMES[f % words.FIRST_NAMES.length]}.${f.toString(36)}@partner${f % 50}.example.org`;
}

function spamLevelFor(random: Random, content: string): number | string {
  const round = (v: number) => Math.round(v * 1000) / 1000;
  switch (content) {
    case 'S':
      // GTUBE and friends: amavis stores 999.999 at most.
      return random.next() < 0.005 ? 999.999 : round(6.3 + -Math.log(1 - random.next()) * 7);
    case 'Y':
      return round(4 + random.next() * 2.3);
    case 'C':
      return round(-3 + random.next() * 6.9);
    case 'V':
      return NULL; // spam checks are bypassed for infected mail
    default:
      return round(-1 + random.next() * 9);
  }
}

function subjectFor(random: Random, content: string): string {
  const list = content === 'C' ? words.HAM_SUBJECTS : content === 'B' || content === 'V' ? words.ATTACHMENT_SUBJECTS : words.SPAM_SUBJECTS;
  const subject = random.pick(list).replace('{n}', String(random.int(100_000)));
  return content === 'S' && random.next() < 0.3 ? `***SPAM*** ${subject}` : subject;
}
