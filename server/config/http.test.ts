import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from './http';

describe('AQ_TRUST_PROXY', () => {
  it('takes nothing, a hop count, or the proxies’ addresses and subnets', () => {
    expect(parseTrustProxy('')).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
  });

  it('refuses true, which would believe any X-Forwarded-For a client makes up, and anything unclear', () => {
    expect(parseTrustProxy('true')).toMatch(/^AQ_TRUST_PROXY=true would trust any X-Forwarded-For.*AQ_TRUST_PROXY=1/);
    expect(parseTrustProxy('yes')).toMatch(/would trust any/);
    for (const bad of ['perhaps', '10.0.0.0/33', '300.1.1.1', '10.0.0.0/8/1', '11']) expect(typeof parseTrustProxy(bad)).toBe('string');
  });
});
