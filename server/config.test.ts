import { describe, expect, it } from 'vitest';
import { loadConfig, parseEnvFile, parsePdpEndpoint } from './config';
import { problemsOf, VALID_ENV as valid } from './testing/config-env';

const secret = valid.AQ_SESSION_SECRET;

describe('loadConfig', () => {
  it('lists every missing required setting in one error', () => {
    const problems = problemsOf({});
    expect(problems).toHaveLength(4);
    for (const key of ['AQ_DB_URL', 'AQ_IMAP_HOST', 'AQ_PDP', 'AQ_SESSION_SECRET']) {
      expect(problems.some((p) => p.startsWith(`${key} is required`))).toBe(true);
    }
  });

  it('reports bad values with the variable name', () => {
    const problems = problemsOf({
      ...valid,
      AQ_PDP: '127.0.0.1:9998',
      AQ_IMAP_TLS: 'ssl',
      AQ_PORT: 'eighty',
      AQ_SESSION_SECRET: 'short',
      AQ_IMAP_TLS_VERIFY: 'maybe',
      AQ_SUPER_USERS: 'root',
    });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/AQ_PDP must be tcp:\/\/host:port/);
    expect(problems.join('\n')).toMatch(/AQ_IMAP_TLS must be tls, starttls or none/);
    expect(problems.join('\n')).toMatch(/AQ_SUPER_USERS/);
  });

  it('applies defaults and freezes the result', () => {
    const config = loadConfig({ ...valid, AQ_SUPER_USERS: 'Root@Example.test, admin@example.test', AQ_IMAP_TLS: 'tls' });
    expect(config.imap).toMatchObject({ port: 993, tls: 'tls', tlsVerify: true });
    expect(config.appDbUrl).toBe(valid.AQ_DB_URL);
    expect(config.superUsers).toEqual(['root@example.test', 'admin@example.test']);
    expect(Object.isFrozen(config) && Object.isFrozen(config.imap)).toBe(true);
    expect(loadConfig(valid).imap.port).toBe(143);
  });

  it('lists the problems of every part of the schema together, with the cross-setting check', () => {
    const problems = problemsOf({
      ...valid,
      AQ_APP_DB_URL: 'oracle://x/y',
      AQ_IMAP_PORT: '0',
      AQ_PDP_TIMEOUT_MS: 'soon',
      AQ_DOMAIN_ADMINS: 'nobody',
      AQ_MAIL_FROM: 'nobody',
      AQ_COOKIE_SECURE: 'maybe',
      AQ_RELEASE_POLICY: 'virus=yes',
      AQ_TRUST_PROXY: 'perhaps',
    });
    expect(problems).toHaveLength(8);
    for (const key of [
      'AQ_APP_DB_URL',
      'AQ_IMAP_PORT',
      'AQ_PDP_TIMEOUT_MS',
      'AQ_DOMAIN_ADMINS',
      'AQ_MAIL_FROM',
      'AQ_COOKIE_SECURE',
      'AQ_RELEASE_POLICY',
      'AQ_TRUST_PROXY',
    ]) {
      expect(problems.some((p) => p.startsWith(key))).toBe(true);
    }
    expect(problemsOf({ ...valid, AQ_COOKIE_SAMESITE: 'none', AQ_COOKIE_SECURE: 'false' })).toEqual([
      'AQ_COOKIE_SAMESITE=none needs AQ_COOKIE_SECURE=true (or auto behind TLS)',
    ]);
  });

  it('takes the amavis database on MariaDB/MySQL or PostgreSQL, and refuses anything else', () => {
    for (const url of ['mariadb://a:b@db/amavis', 'postgres://amavis:pw@127.0.0.1:5432/amavis', 'postgresql://amavis@db.example/mail_log']) {
      expect(loadConfig({ ...valid, AQ_DB_URL: url }).dbUrl).toBe(url);
    }
    expect(problemsOf({ ...valid, AQ_DB_URL: 'oracle://a@db/amavis' })).toEqual([
      'AQ_DB_URL must look like mysql://user:password@host:3306/amavis or postgres://user:password@host:5432/amavis (or sqlite:<path> for the demo)',
    ]);
  });

  it('accepts a list of session secrets for rotation', () => {
    expect(loadConfig({ ...valid, AQ_SESSION_SECRET: `${secret},${'y'.repeat(40)}` }).sessionSecrets).toHaveLength(2);
  });
});

describe('parsePdpEndpoint', () => {
  it('parses tcp and unix endpoints', () => {
    expect(parsePdpEndpoint('tcp://127.0.0.1:9998')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9998 });
    expect(parsePdpEndpoint('tcp://[::1]:9998')).toEqual({ kind: 'tcp', host: '::1', port: 9998 });
    expect(parsePdpEndpoint('unix:/var/lib/amavis/amavisd.sock')).toEqual({ kind: 'unix', path: '/var/lib/amavis/amavisd.sock' });
    expect(parsePdpEndpoint('tcp://host')).toBeUndefined();
    expect(parsePdpEndpoint('tcp://host:70000')).toBeUndefined();
  });
});

describe('parseEnvFile', () => {
  it('reads KEY=value lines and skips comments', () => {
    expect(parseEnvFile('# c\nAQ_A=1\nexport AQ_B="two words"\n\nAQ_C=\n')).toEqual({ AQ_A: '1', AQ_B: 'two words', AQ_C: '' });
  });
});

describe('AQ_PDP host map and AQ_RELEASE_POLICY', () => {
  it('maps amavis hosts to endpoints with a default', () => {
    const config = loadConfig({ ...valid, AQ_PDP: 'mx1.example.org=tcp://10.0.0.1:9998, *=unix:/var/lib/amavis/amavisd.sock' });
    expect(config.pdp).toEqual({ kind: 'unix', path: '/var/lib/amavis/amavisd.sock' });
    expect(config.pdpByHost.get('mx1.example.org')).toEqual({ kind: 'tcp', host: '10.0.0.1', port: 9998 });
    expect(problemsOf({ ...valid, AQ_PDP: 'mx1=tcp://10.0.0.1:9998' })).toEqual(['AQ_PDP: a host map needs a default entry, *=tcp://host:port']);
  });

  it('overrides the default release policy per type', () => {
    const config = loadConfig({ ...valid, AQ_RELEASE_POLICY: 'banned=direct,spam=request' });
    expect(config.releasePolicy).toMatchObject({ banned: 'direct', spam: 'request', virus: 'admin', spammy: 'direct' });
    expect(problemsOf({ ...valid, AQ_RELEASE_POLICY: 'ham=direct' })[0]).toMatch(/AQ_RELEASE_POLICY/);
  });
});
