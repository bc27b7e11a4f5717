import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GTUBE } from './send-mail';
import { stackEnv } from './stack';

const run = promisify(execFile);

/**
 * What a payload may use to prove that it worked: `js` sets `__pwned` in whichever window runs it (the
 * page, or a frame of its own), and `url` is on the sentinel host, a loopback address of its own that
 * nothing but a payload ever names. Both carry a code that says which payload, in which place, fired.
 */
export interface Probe {
  js: string;
  url: string;
}

/** One XSS payload: a short name, and its markup given the probe of the place it is put in. */
export interface XssPayload {
  name: string;
  markup: (probe: Probe) => string;
}

// Each payload either runs `js` or loads `url` if the defences fail. Classic and mXSS vectors from the
// OWASP cheat sheet, PortSwigger's XSS cheat sheet and DOMPurify's past bypasses, aimed at an HTML mail
// shown in a sandboxed iframe, with images held back.
export const XSS_PAYLOADS: readonly XssPayload[] = [
  { name: 'script-tag', markup: (p) => `<script>${p.js}</script>` },
  { name: 'script-src', markup: (p) => `<script src="${p.url}.js"></script>` },
  { name: 'svg-script', markup: (p) => `<svg><script>${p.js}</script></svg>` },
  { name: 'img-onerror', markup: (p) => `<img src="${p.url}.png" onerror="${p.js}">` },
  { name: 'svg-onload', markup: (p) => `<svg onload="${p.js}"><rect width="1" height="1"/></svg>` },
  { name: 'body-onload', markup: (p) => `<body onload="${p.js}">` },
  { name: 'svg-animate-onbegin', markup: (p) => `<svg><animate onbegin="${p.js}" attributeName="x" dur="1s"/></svg>` },
  { name: 'svg-set-onbegin', markup: (p) => `<svg><set onbegin="${p.js}" attributeName="x" to="1"/></svg>` },
  {
    name: 'svg-animate-href',
    markup: (p) => `<svg><a><animate attributeName="href" values="javascript:${p.js}"/><text x="10" y="20">click me</text></a></svg>`,
  },
  { name: 'js-href', markup: (p) => `<a href="javascript:${p.js}">click me</a>` },
  {
    name: 'js-href-entities',
    markup: (p) => `<a href="&#106;&#x61;&#0000118;&#x61;&#115;&#99;&#x72;&#105;&#112;&#116;&colon;${p.js}">click me</a>`,
  },
  { name: 'js-href-tab-newline', markup: (p) => `<a href=" jav\tas\ncri&#x0D;pt&#x09;:${p.js}">click me</a>` },
  { name: 'iframe-js-src', markup: (p) => `<iframe src="javascript:${p.js}"></iframe>` },
  { name: 'iframe-srcdoc', markup: (p) => `<iframe srcdoc="&lt;script&gt;${p.js}&lt;/script&gt;&lt;img src=&quot;${p.url}.png&quot;&gt;"></iframe>` },
  { name: 'object-data-url', markup: (p) => `<object data="data:text/html,<script>${p.js}</script>"></object><object data="${p.url}.html"></object>` },
  { name: 'embed-src', markup: (p) => `<embed src="${p.url}.svg"><embed src="javascript:${p.js}">` },
  { name: 'math-mglyph-style', markup: (p) => `<math><mtext><table><mglyph><style><img src="${p.url}.png" onerror="${p.js}">` },
  {
    name: 'form-math-mxss',
    markup: (p) => `<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img src='${p.url}.png' onerror='${p.js}'>">`,
  },
  { name: 'svg-p-style-mxss', markup: (p) => `<svg></p><style><a id="</style><img src='${p.url}.png' onerror='${p.js}'>">` },
  { name: 'cdata-html', markup: (p) => `<![CDATA[><img src="${p.url}.png" onerror="${p.js}">]]>` },
  { name: 'cdata-svg', markup: (p) => `<svg><![CDATA[><image xlink:href="]]><img src='${p.url}.png' onerror='${p.js}//'></svg>` },
  { name: 'noscript-mxss', markup: (p) => `<noscript><p title="</noscript><img src='${p.url}.png' onerror='${p.js}'>"></noscript>` },
  { name: 'xmp-mxss', markup: (p) => `<xmp><p title="</xmp><img src='${p.url}.png' onerror='${p.js}'>"></xmp>` },
  { name: 'template', markup: (p) => `<template><script>${p.js}</script><img src="${p.url}.png" onerror="${p.js}"></template>` },
  { name: 'comment-in-attribute', markup: (p) => `<!--<img src="--><img src='${p.url}.png' onerror='${p.js}//'>` },
  { name: 'comment-empty', markup: (p) => `<!--><img src="${p.url}.png" onerror="${p.js}">-->` },
  { name: 'conditional-comment', markup: (p) => `<!--[if gte IE 4]><script>${p.js}</script><![endif]--><![if true]><img src="${p.url}.png"><![endif]>` },
  { name: 'style-import', markup: (p) => `<p>styled</p><style>@import url("${p.url}.css"); @import '${p.url}b.css';</style>` },
  { name: 'style-escaped-url', markup: (p) => `<p>styled</p><style>p{background:\\75rl(${p.url}.png)} @\\69mport '${p.url}.css';</style>` },
  { name: 'style-font-face', markup: (p) => `<p>styled</p><style>@font-face{font-family:aq;src:u\\rl(${p.url}.woff)} p{font-family:aq}</style>` },
  { name: 'style-attr-url', markup: (p) => `<div style="background:url(${p.url}.png);width:9px;height:9px">x</div>` },
  { name: 'style-attr-escaped-url', markup: (p) => `<div style="background-image:u\\72l('${p.url}.png');width:9px;height:9px">x</div>` },
  { name: 'background-attr', markup: (p) => `<table background="${p.url}.png"><tr><td>x</td></tr></table>` },
  { name: 'img-srcset', markup: (p) => `<img srcset="${p.url}.png 1x, ${p.url}@2.png 2x" alt="x">` },
  { name: 'picture-source-srcset', markup: (p) => `<picture><source srcset="${p.url}.webp"><img alt="x"></picture>` },
  { name: 'link-stylesheet', markup: (p) => `<link rel="stylesheet" href="${p.url}.css"><link rel="prefetch" href="${p.url}.next">` },
  { name: 'meta-refresh', markup: (p) => `<meta http-equiv="refresh" content="0;url=${p.url}.html">` },
  { name: 'base-href', markup: (p) => `<base href="${p.url}/"><img src="base.png"><a href="relative">relative link</a>` },
  { name: 'form-action', markup: (p) => `<form action="${p.url}" method="post"><input name="q" value="x"><input type="submit" value="Send"></form>` },
  { name: 'formaction', markup: (p) => `<form><button formaction="javascript:${p.js}">Go</button><input type="image" src="${p.url}.png" formaction="${p.url}"></form>` },
  { name: 'input-autofocus-onfocus', markup: (p) => `<input autofocus onfocus="${p.js}">` },
  { name: 'details-ontoggle', markup: (p) => `<details open ontoggle="${p.js}"><summary>more</summary>x</details>` },
  { name: 'video-poster', markup: (p) => `<video poster="${p.url}.jpg" width="9" height="9"></video>` },
  { name: 'media-src', markup: (p) => `<audio src="${p.url}.ogg" onerror="${p.js}"></audio><video><source src="${p.url}.mp4"><track src="${p.url}.vtt"></video>` },
  { name: 'a-ping', markup: (p) => `<a href="${p.url}.link" ping="${p.url}.ping">a link</a>` },
  {
    name: 'svg-remote-refs',
    markup: (p) => `<svg><filter id="f"><feImage href="${p.url}.svg"/></filter><rect width="9" height="9" filter="url(#f)" fill="url(${p.url}.svg#g)"/></svg>`,
  },
];

/** Where in a mail a payload sits; the digit is the last of its probe code. */
export const PLACEMENTS = {
  'html body': 1,
  'text body': 2,
  subject: 3,
  'sender name': 4,
  'attachment name': 5,
  'attachment content': 6,
} as const;
export type Placement = keyof typeof PLACEMENTS;

/** The probe of one payload (by its index in XSS_PAYLOADS) in one placement: code = 10 × (index + 1) + digit. */
export function probeFor(sentinelOrigin: string, index: number, placement: Placement): Probe {
  const code = 10 * (index + 1) + PLACEMENTS[placement];
  return { js: `__pwned=${code}`, url: `${sentinelOrigin}/${code}` };
}

/** Names the payload and placement behind a probe code (from `__pwned`, or a sentinel URL's path). */
export function describeCode(code: number | string): string {
  const n = Number(code);
  const payload = XSS_PAYLOADS[Math.floor(n / 10) - 1]?.name;
  const placement = Object.entries(PLACEMENTS).find(([, digit]) => digit === n % 10)?.[0];
  return payload && placement ? `${payload} in the ${placement} (code ${n})` : `unknown code ${String(code)}`;
}

const twoDigits = (n: number) => String(n).padStart(2, '0');

/** A corpus mail as planned: which payloads it carries. Its content is rendered per run. */
export interface CorpusMail {
  /** A short name (the payload's, for one-payload mails). */
  key: string;
  /** Two digits, unique in the corpus: the subject marker ends with it. */
  number: string;
  payloads: number[];
  kind: 'payload' | 'text-only' | 'html-attachment';
}

/**
 * The corpus: one mail per payload, which carries that payload in its HTML body, its Subject, its
 * From display name and an attachment name; one text/plain-only mail with every payload in its text;
 * and one mail with every payload in an attached HTML file.
 */
export const CORPUS_MAILS: readonly CorpusMail[] = [
  ...XSS_PAYLOADS.map((payload, i): CorpusMail => ({ key: payload.name, number: twoDigits(i + 1), payloads: [i], kind: 'payload' })),
  { key: 'all-in-text-body', number: twoDigits(XSS_PAYLOADS.length + 1), payloads: XSS_PAYLOADS.map((_, i) => i), kind: 'text-only' },
  { key: 'all-in-html-attachment', number: twoDigits(XSS_PAYLOADS.length + 2), payloads: XSS_PAYLOADS.map((_, i) => i), kind: 'html-attachment' },
];

/** A corpus mail rendered for one run: raw RFC 5322 (CRLF), its Message-ID and its subject marker. */
export interface RenderedMail {
  mail: CorpusMail;
  /** `aqxss-<run>-<number>`: unique, first in the subject (amavisd keeps 255 characters of it), searchable. */
  marker: string;
  messageId: string;
  subject: string;
  fromName: string;
  attachmentNames: string[];
  raw: string;
}

const CRLF = '\r\n';
const base64Lines = (text: string) =>
  (
    Buffer.from(text, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join(CRLF);

/** RFC 2047 B encoded-words of at most 45 bytes of text each (so each word stays under 75 characters). */
function encodedWords(text: string): string[] {
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`);
}

// Raw when it is plain printable ASCII; encoded otherwise. swaks rewrites a literal `\n` and `%TOKENS%`
// in what it sends, so text with a backslash or a percent sign is encoded too.
const needsEncoding = (text: string) => !/^[\x20-\x7e]*$/.test(text) || /[\\%]|=\?/.test(text);
const unstructured = (text: string) => (needsEncoding(text) ? encodedWords(text).join(`${CRLF} `) : text);

/** RFC 2231: `filename*0*=UTF-8''%3Cimg…; filename*1*=…`, percent-encoded, in short sections. */
function rfc2231(param: string, value: string): string {
  const encoded = [...Buffer.from(value, 'utf8')]
    .map((b) => (/[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  const sections = encoded.match(/(?:%[0-9A-F]{2}|[^%]){1,20}/g) ?? [];
  return sections.map((s, i) => `${param}*${i}*=${i === 0 ? "UTF-8''" : ''}${s}`).join(`;${CRLF} `);
}

/** An attachment part. Even payloads name it in Content-Disposition (RFC 2231), odd ones in Content-Type (RFC 2047). */
function attachmentPart(name: string, nameInDisposition: boolean, type: string, content: string): string {
  const contentType = nameInDisposition ? `${type}; charset=utf-8` : `${type}; charset=utf-8;${CRLF} name="${encodedWords(name).join(' ')}"`;
  const disposition = nameInDisposition ? `attachment;${CRLF} ${rfc2231('filename', name)}` : 'attachment';
  return [`Content-Type: ${contentType}`, `Content-Disposition: ${disposition}`, 'Content-Transfer-Encoding: base64', '', base64Lines(content)].join(CRLF);
}

const htmlDocument = (title: string, body: string) => `<!doctype html>\n<html><head><title>${title}</title></head>\n<body>\n<p>${title}</p>\n${body}\n</body></html>\n`;

/** Renders a corpus mail for a run: every payload's probe names this run's sentinel origin. */
export function renderCorpusMail(mail: CorpusMail, runId: string, sentinelOrigin: string): RenderedMail {
  const marker = `aqxss-${runId}-${mail.number}`;
  const messageId = `<${marker}@xss.example.test>`;
  const probe = (i: number, placement: Placement) => XSS_PAYLOADS[i]!.markup(probeFor(sentinelOrigin, i, placement));
  const boundary = `aqxss-${randomBytes(8).toString('hex')}`;
  const gtubePart = ['Content-Type: text/plain; charset=us-ascii', '', `XSS corpus mail ${marker}`, GTUBE, ''].join(CRLF);
  const parts: string[] = [];
  let subject = `[${marker} ${mail.key}] XSS corpus`;
  let fromName = 'XSS corpus';
  const attachmentNames: string[] = [];

  if (mail.kind === 'payload') {
    const i = mail.payloads[0]!;
    subject = `[${marker} ${mail.key}] ${probe(i, 'subject')}`;
    fromName = probe(i, 'sender name');
    attachmentNames.push(probe(i, 'attachment name'));
    const html = htmlDocument(marker, probe(i, 'html body'));
    const alternative = `alt-${boundary}`;
    parts.push(
      [
        `Content-Type: multipart/alternative; boundary="${alternative}"`,
        '',
        `--${alternative}`,
        gtubePart,
        `--${alternative}`,
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(html),
        `--${alternative}--`,
        '',
      ].join(CRLF),
      attachmentPart(attachmentNames[0]!, i % 2 === 0, 'text/plain', `An attachment named by payload ${XSS_PAYLOADS[i]!.name}.\n`),
    );
  } else if (mail.kind === 'text-only') {
    // No HTML part at all, so a client has to show this text itself.
    const text = mail.payloads.map((i) => `${XSS_PAYLOADS[i]!.name}: ${probe(i, 'text body')}`).join('\n\n');
    const body = [`XSS corpus mail ${marker}`, GTUBE, '', text, ''].join('\n');
    return finish([`Content-Type: text/plain; charset=utf-8`, 'Content-Transfer-Encoding: base64'], base64Lines(body));
  } else {
    const html = htmlDocument(marker, mail.payloads.map((i) => `<h3>${XSS_PAYLOADS[i]!.name}</h3>\n${probe(i, 'attachment content')}`).join('\n'));
    attachmentNames.push('xss-corpus.html');
    parts.push(gtubePart, attachmentPart('xss-corpus.html', true, 'text/html', html));
  }
  const body = [...parts.map((part) => `--${boundary}${CRLF}${part}`), `--${boundary}--`, ''].join(CRLF);
  return finish([`Content-Type: multipart/mixed; boundary="${boundary}"`], body);

  function finish(contentHeaders: string[], body: string): RenderedMail {
    const headers = [
      `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
      `From: ${encodedWords(fromName).join(`${CRLF} `)} <xss-sender@sender.example.net>`,
      'To: Alice <alice@example.test>',
      `Subject: ${unstructured(subject)}`,
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
      ...contentHeaders,
    ];
    return { mail, marker, messageId, subject, fromName, attachmentNames, raw: `${headers.join(CRLF)}${CRLF}${CRLF}${body}` };
  }
}

/** Sends a rendered mail to alice through the real amavisd over SMTP (one swaks call), as production mail arrives. */
export async function sendRawThroughAmavis(raw: string): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aq-xss-'));
  try {
    const file = path.join(dir, 'mail.eml');
    await writeFile(file, raw);
    const args = ['--server', `127.0.0.1:${stackEnv().AQ_SMTP_IN_PORT}`, '--helo', 'xss.example.test'];
    args.push('--from', 'xss-sender@sender.example.net', '--to', 'alice@example.test', '--data', `@${file}`, '--timeout', '120', '--silent', '2');
    await run('swaks', args, { timeout: 150_000 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
