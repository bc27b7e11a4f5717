/**
 * `npm run bench:view`: what opening hostile or heavy mail costs the server (issue #10). It sends the
 * mail through the real amavisd (the stack must be up), opens each message through the API of an
 * in-process server, and watches that process's event loop while it does.
 *
 * Targets: a 10 MB mail with a 330 KB HTML newsletter opens in ≤ 1 s with ≤ 50 MB RSS growth; for the
 * hostile set, the event loop is never blocked more than 50 ms.
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { HOSTILE_MAILS, sendRawThroughAmavis, type RawMail } from '../support/send-raw';
import { GTUBE } from '../support/send-mail';
import { startTestServer } from '../support/server';

/** A 10 MB mail: a 330 KB HTML newsletter, its text part, and 9.5 MB of attachments. */
function newsletterMail(): RawMail {
  const boundary = 'bench-boundary';
  const rows = Array.from(
    { length: 1_700 },
    (_, i) =>
      `<tr><td class="c${i % 5}" style="padding:4px"><a href="https://shop.example/${i}"><img src="https://img.example/${i}.png" width="60"></a></td><td><p>Item ${i}: <b>offer</b> &amp; more</p></td></tr>`,
  );
  const html = `<html><head><style>td{font:14px sans-serif}</style></head><body><p>${GTUBE}</p><table>\n${rows.join('\n')}\n</table></body></html>`;
  const attachment = (name: string, bytes: number) =>
    `--${boundary}\r\nContent-Type: application/pdf; name=${name}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=${name}\r\n\r\n${randomBytes(
      bytes,
    )
      .toString('base64')
      .replace(/(.{76})/g, '$1\r\n')}\r\n`;
  const body = [
    `--${boundary}\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe newsletter.\r\n${GTUBE}\r\n`,
    `--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n--alt--\r\n`,
    attachment('catalogue.pdf', 4_800_000),
    attachment('prices.pdf', 2_300_000),
    `--${boundary}--\r\n`,
  ].join('');
  return {
    headers: ['From: News <news@sender.example.net>', 'Subject: The newsletter (10 MB)', 'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary=${boundary}`],
    body,
  };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main() {
  const server = await startTestServer({ ...ROLE_ENV, AQ_LOG_LEVEL: 'silent' });
  try {
    const alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const mails: Record<string, RawMail> = { newsletter: newsletterMail() };
    for (const [name, build] of Object.entries(HOSTILE_MAILS)) mails[name] = build();
    const ids: Record<string, string> = {};
    process.stdout.write('sending through amavisd');
    for (const [name, mail] of Object.entries(mails)) {
      ids[name] = (await sendRawThroughAmavis(server.context, ['alice@example.test'], mail))['alice@example.test'] ?? '';
      process.stdout.write('.');
    }
    process.stdout.write('\n');
    // Warm up: the pool's workers start, and the first view of any kind is not the one measured.
    await (await alice.get(`/messages/${ids['latin1-header']}`)).arrayBuffer();
    await (await alice.get(`/messages/${ids.newsletter}`)).arrayBuffer();
    global.gc?.();

    console.log(
      `load average (1, 5, 15 min): ${loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`,
    );
    console.log('message          | answer ms | status | parseError   | longest event-loop delay ms | RSS growth MB');
    for (const [name, id] of Object.entries(ids)) {
      const loop = monitorEventLoopDelay({ resolution: 5 });
      const rssBefore = process.memoryUsage().rss;
      loop.enable();
      const started = performance.now();
      const res = await alice.get(`/messages/${id}`);
      const detail = (await res.json()) as { parseError: string | null };
      const answerMs = performance.now() - started;
      loop.disable();
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      const maxDelay = loop.max / 1e6;
      console.log(
        `${name.padEnd(16)} | ${answerMs.toFixed(0).padStart(9)} | ${String(res.status).padStart(6)} | ${String(detail.parseError).padEnd(12)} | ${maxDelay.toFixed(1).padStart(27)} | ${mb(rssGrowth).padStart(13)}`,
      );
    }
    console.log('targets: newsletter answer ≤ 1000 ms and RSS growth ≤ 50 MB; every event-loop delay ≤ 50 ms');
  } finally {
    await server.close();
  }
}

await main();
