import { Sequelize } from 'sequelize';

/** Opens a Sequelize connection from AQ_DB_URL (`mysql://…`, or `sqlite:<path>` for the demo). */
export function createSequelize(url: string): Sequelize {
  if (url.startsWith('sqlite:')) {
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: url.slice('sqlite:'.length), logging: false });
    // Sequelize gives each SQLite transaction its own connection: with WAL, readers never block the
    // writer, and a writer waits for another instead of failing at once with SQLITE_BUSY.
    sequelize.addHook('afterConnect', (connection) => {
      const db = connection as { run(sql: string): void; configure(option: 'busyTimeout', ms: number): void };
      db.configure('busyTimeout', 5_000);
      db.run('PRAGMA journal_mode = WAL');
    });
    return sequelize;
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
