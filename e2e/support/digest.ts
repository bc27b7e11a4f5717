import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main as digestCli } from '../../server/cli/digest';
import { inboxMessages } from './mailbox';
import { ROLE_ENV } from './api-client';
import { ROOT, serverEnv, stackEnv } from './stack';

export const LINK_SECRET = 'test-link-secret-digest-0123456789abcdef0123';
// The links name a public address the test cannot know before the server listens; it opens them on the server itself.
export const API_URL = 'https://quarantine.example.test/api';
/** An alias of alice's (AQ_ALIASES_FILE): its mail is in her digest. */
export const ALICE_ALIAS = 'digest-sales@example.test';
const aliasesFile = path.join(mkdtempSync(path.join(tmpdir(), 'aq-digest-')), 'aliases');
writeFileSync(aliasesFile, `${ALICE_ALIAS}: alice@example.test\n`);

/** The settings of the digest tests' servers and CLI runs (AQ_SMTP_URL added per test). */
export const DIGEST_ENV = {
  ...ROLE_ENV,
  AQ_SELF_SERVICE: 'true',
  AQ_LINK_SECRET: LINK_SECRET,
  AQ_API_URL: API_URL,
  AQ_PUBLIC_URL: 'https://webmail.example.test/',
  AQ_RECIPIENT_DELIMITER: '+',
  AQ_ALIASES_FILE: aliasesFile,
  // Dovecot's LMTP offers STARTTLS with the stack's self-signed certificate: the setting the issue asked for.
  AQ_SMTP_TLS_VERIFY: 'false',
  AQ_DIGEST_INTERVAL_MS: '0',
};

/** One digest as it landed in a test user's INBOX (read over IMAP, parsed). */
export interface ReceivedDigest {
  messageId: string;
  subject: string;
  text: string;
  html: string;
  language: string;
  /** Each listed message: its subject line and its action links (action → URL). */
  entries: Array<{ subject: string; links: Record<string, string>; again: boolean }>;
}

/** The digests in the user's INBOX (our Message-IDs start with `aq-digest-`). */
export async function digestsIn(user: { email: string; password: string }): Promise<ReceivedDigest[]> {
  const { default: PostalMime } = await import('postal-mime');
  const out: ReceivedDigest[] = [];
  for (const source of await inboxMessages(user, 'Message-ID', 'aq-digest-')) {
    const mail = await PostalMime.parse(source);
    const text = mail.text ?? '';
    const entries = text
      .split(/\n(?=\d+\. )/)
      .filter((block) => /^\d+\. /.test(block))
      .map((block) => {
        const links: Record<string, string> = {};
        // Action lines only ("   Release: https://…"): a subject may hold URL-like text of its own.
        for (const [, url = ''] of block.matchAll(/^ {3}[^:\n]+: (https?:\/\/\S+)$/gm)) {
          const action = URL.canParse(url) ? new URL(url).searchParams.get('action') : null;
          if (action && !links[action]) links[action] = url;
        }
        return {
          subject: (block.split('\n')[0] ?? '').replace(/^\d+\. /, ''),
          links,
          again: /may not have reached you|vielleicht nicht erreicht|peut-être pas parvenu/.test(block),
        };
      });
    const language = mail.headers.find((h) => h.key === 'content-language')?.value ?? '';
    out.push({ messageId: mail.messageId ?? '', subject: mail.subject ?? '', text, html: mail.html ?? '', language, entries });
  }
  return out;
}

/** The digests that arrived since `before` (an earlier digestsIn). */
export async function digestsSince(user: { email: string; password: string }, before: readonly ReceivedDigest[]): Promise<ReceivedDigest[]> {
  const seen = new Set(before.map((d) => d.messageId));
  return (await digestsIn(user)).filter((d) => !seen.has(d.messageId));
}

/** Dovecot's LMTP listener, where digests go (as AQ_SMTP_URL). Its certificate is the stack's own CA's. */
export const lmtpUrl = () => `lmtp://127.0.0.1:${stackEnv().AQ_LMTP_PORT}`;

/** Runs `npm run digest` (its main(), with the given settings and arguments); returns the exit code and what it wrote. */
export async function runDigest(overrides: Record<string, string>, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await digestCli(args, serverEnv(overrides), { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

/** `npm run digest` as a process of its own (to be killed mid-send): the process and its exit code. */
export function spawnDigest(overrides: Record<string, string>, args: string[]): { child: ChildProcess; exit: Promise<number | null> } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AQ_')));
  // node itself with tsx's loader, not the tsx wrapper: a SIGKILL must reach the process that sends.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/cli/digest.ts'), ...args], {
    env: { ...clean, ...serverEnv(overrides) },
    cwd: ROOT,
    stdio: 'ignore',
  });
  return { child, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}
