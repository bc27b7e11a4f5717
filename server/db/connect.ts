import { Sequelize } from 'sequelize';

/** Opens a Sequelize connection from AQ_DB_URL (`mysql://…`, or `sqlite:<path>` for the demo). */
export function createSequelize(url: string): Sequelize {
  if (url.startsWith('sqlite:')) {
    return new Sequelize({ dialect: 'sqlite', storage: url.slice('sqlite:'.length), logging: false });
  }
  return new Sequelize(url.replace(/^mariadb:/, 'mysql:'), {
    dialect: 'mysql',
    logging: false,
    timezone: '+00:00',
    pool: { max: 10, min: 0, idle: 10_000, acquire: 10_000 },
    dialectOptions: {
      connectTimeout: 5_000,
      // maddr.id and msgs.sid are BIGINT UNSIGNED: keep them exact, as strings.
      supportBigNumbers: true,
      bigNumberStrings: true,
    },
  });
}

/** Names a database URL for reports and logs, without its password. */
export function describeDbUrl(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '(unparsable database URL)';
  }
}
