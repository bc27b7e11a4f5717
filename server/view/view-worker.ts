/**
 * A view worker: parses one quarantined message at a time and sanitizes its HTML, off the server's
 * only thread. The pool (view-pool.ts) gives each job a time limit and the thread a heap limit, and
 * replaces a worker that hits either. The parsed mail is posted before the HTML is touched, so a
 * message whose HTML is too much still shows its text, headers and attachments.
 */
import { parentPort } from 'node:worker_threads';
import { parseMail } from '../services/mail-parse';
import { renderHtmlBody } from './html-body';
import type { ViewJob, ViewReply } from './view-pool';

const port = parentPort;
if (!port) throw new Error('view-worker.ts runs as a worker thread (see view-pool.ts)');

// Build the sanitizer's DOM now, not during the first view.
renderHtmlBody('<p>warm</p>', 1024);
port.postMessage({ id: 0, stage: 'ready' } satisfies ViewReply);

port.on('message', (job: ViewJob) => {
  void run(job).then((reply) => port.postMessage(reply));
});

async function run(job: ViewJob): Promise<ViewReply> {
  let parsed: Awaited<ReturnType<typeof parseMail>>;
  try {
    parsed = await parseMail(Buffer.from(job.raw), { withReceived: job.withReceived });
  } catch (err) {
    return { id: job.id, stage: 'failed', message: (err as Error).message };
  }
  port?.postMessage({ id: job.id, stage: 'mail', mail: parsed.mail } satisfies ViewReply);
  if (parsed.html === null) return { id: job.id, stage: 'html', body: { html: null, remoteImages: 0, parseError: null } };
  try {
    return { id: job.id, stage: 'html', body: renderHtmlBody(parsed.html, job.maxHtmlBytes) };
  } catch (err) {
    // jsdom gives up on some inputs (e.g. recursion too deep while serializing): the text stays.
    return { id: job.id, stage: 'html', body: { html: null, remoteImages: 0, parseError: 'too_complex' }, message: (err as Error).message };
  }
}
