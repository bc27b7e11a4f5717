/**
 * The AM.PDP wire format of amavisd-new, as pure functions.
 *
 * A request or a reply is a block of `name=value` lines ending in CRLF (amavisd accepts LF), closed by
 * an empty line. Values are %XX-encoded. A reply carries one `setreply=<code> <x.y.z> <text>` per
 * recipient, and there each space-separated field is %-encoded on its own, so it is split on spaces
 * first and decoded after.
 */

import type { SmtpReply } from '../../shared/release';

/** One request attribute; names repeat (e.g. `recipient`). */
export type PdpField = readonly [name: string, value: string];

/** One `setreply` line: the SMTP-style answer for one recipient (the API contract's SmtpReply). */
export type PdpSetReply = SmtpReply;

/** A parsed reply: all attributes (decoded), plus the setreply lines taken apart. */
export interface PdpReply {
  attributes: ReadonlyArray<PdpField>;
  setReplies: PdpSetReply[];
  returnValue: string | undefined;
  exitCode: number | undefined;
}

// Bytes that may stand as they are in a value; everything else is %XX. Conservative on purpose: a raw
// CR, LF, '=' or '%' in a value would break the framing or be decoded twice.
const SAFE = /[A-Za-z0-9._@+\-<>:/[\]]/;

/** %XX-encodes a value as UTF-8 bytes. */
export function encodePdpValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Decodes %XX sequences as UTF-8 and leaves anything malformed as it is. The input is wire text read
 * as latin1 (one character a byte), so a raw character stands for its own byte.
 */
export function decodePdpValue(value: string): string {
  if (!value.includes('%')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value.slice(i + 1, i + 3);
    if (value[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const code = value.charCodeAt(i);
      if (code < 0x100) bytes.push(code);
      else bytes.push(...Buffer.from(value[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Frames a request: `name=value` lines in CRLF, closed by an empty line. */
export function encodePdpRequest(fields: ReadonlyArray<PdpField>): string {
  for (const [name] of fields) {
    if (!/^[a-z_]+$/.test(name)) throw new Error(`invalid AM.PDP attribute name: ${name}`);
  }
  return `${fields.map(([name, value]) => `${name}=${encodePdpValue(value)}`).join('\r\n')}\r\n\r\n`;
}

/** Takes apart one setreply value: split on spaces, then decode each field. */
export function parseSetReply(raw: string): PdpSetReply | undefined {
  const fields = raw
    .split(' ')
    .filter((f) => f !== '')
    .map(decodePdpValue);
  const code = Number(fields[0]);
  if (!/^\d{3}$/.test(fields[0] ?? '')) return undefined;
  const enhanced = /^\d\.\d{1,3}\.\d{1,3}$/.test(fields[1] ?? '') ? fields[1] : undefined;
  const text = fields.slice(enhanced ? 2 : 1).join(' ');
  return { code, enhanced, text };
}

/** Builds a reply from its lines (without the closing empty line). */
export function parsePdpReply(lines: string[]): PdpReply {
  const attributes: PdpField[] = [];
  const setReplies: PdpSetReply[] = [];
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq);
    const raw = line.slice(eq + 1);
    if (name === 'setreply') {
      const parsed = parseSetReply(raw);
      if (parsed) setReplies.push(parsed);
      attributes.push([name, raw]);
    } else {
      attributes.push([name, decodePdpValue(raw)]);
    }
  }
  const attr = (name: string) => attributes.find(([n]) => n === name)?.[1];
  const exit = attr('exit_code');
  return {
    attributes,
    setReplies,
    returnValue: attr('return_value'),
    exitCode: exit !== undefined && /^\d+$/.test(exit) ? Number(exit) : undefined,
  };
}

/** What the reader made of the bytes so far. */
export type PdpReadResult = { kind: 'incomplete' } | { kind: 'reply'; reply: PdpReply } | { kind: 'smtp'; banner: string };

/**
 * Accumulates bytes until a whole reply has arrived, however the reads split it.
 * An SMTP greeting (`220 …`) instead of `name=value` means the port is amavisd's SMTP listener, not
 * an AM.PDP policy bank: the most common misconfiguration, so it is recognised on its own.
 */
export class PdpReplyReader {
  private buffer = '';

  /** Feeds a chunk; returns a reply once the empty line that ends it has arrived. */
  push(chunk: Buffer | string): PdpReadResult {
    this.buffer += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    const firstLineEnd = this.buffer.indexOf('\n');
    const firstLine = (firstLineEnd === -1 ? this.buffer : this.buffer.slice(0, firstLineEnd)).replace(/\r$/, '');
    if (/^\d{3}([ -]|$)/.test(firstLine) && (firstLineEnd !== -1 || firstLine.length >= 4)) {
      return { kind: 'smtp', banner: firstLine };
    }
    const lines = this.buffer.split('\n').map((l) => l.replace(/\r$/, ''));
    const end = lines.findIndex((line, i) => line === '' && i < lines.length - 1);
    if (end === -1) return { kind: 'incomplete' };
    // Values are %-encoded ASCII on the wire; latin1 keeps each byte, and decoding yields UTF-8.
    return { kind: 'reply', reply: parsePdpReply(lines.slice(0, end)) };
  }

  /** What has arrived so far, for error messages. */
  get received(): string {
    return this.buffer;
  }
}
