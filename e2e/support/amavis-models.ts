import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/**
 * Models of amavisd-new's storage tables (README.sql-mysql and README.sql-pg, 2.13). amavisd owns these
 * tables: we never sync or alter them. The email and id columns are VARBINARY (bytea on PostgreSQL), so
 * the driver returns Buffers; the getters turn them into text (UTF-8, as $sql_allow_8bit_address stores
 * it). The getters also read both schemas alike: a blank one-letter code is '' (PostgreSQL's char(1)
 * gives ' '), and time_iso is amavis's text `20261130T103726Z` (a timestamptz on PostgreSQL).
 */
export interface AmavisModels {
  Maddr: ModelStatic<MaddrRow>;
  Msg: ModelStatic<MsgRow>;
  Msgrcpt: ModelStatic<MsgrcptRow>;
  Quarantine: ModelStatic<QuarantineRow>;
}

export interface MaddrRow extends Model {
  partition_tag: number;
  /** A string on MariaDB (BIGINT UNSIGNED, kept exact), a number on PostgreSQL (serial). */
  id: string | number;
  email: string;
  domain: string;
}

export interface MsgRow extends Model {
  partition_tag: number;
  mail_id: string;
  secret_id: string;
  am_id: string;
  time_num: number;
  time_iso: string;
  sid: string | number;
  policy: string;
  client_addr: string;
  size: number;
  originating: string;
  content: string | null;
  quar_type: string | null;
  quar_loc: string;
  dsn_sent: string | null;
  spam_level: number | null;
  message_id: string;
  from_addr: string;
  subject: string;
  host: string;
}

export interface MsgrcptRow extends Model {
  partition_tag: number;
  mail_id: string;
  rseqnum: number;
  rid: string | number;
  is_local: string;
  content: string;
  ds: string;
  rs: string;
  bl: string | null;
  wl: string | null;
  bspam_level: number | null;
  smtp_resp: string | null;
}

export interface QuarantineRow extends Model {
  partition_tag: number;
  mail_id: string;
  chunk_ind: number;
  mail_text: Buffer;
}

/** Reads a VARBINARY (bytea) column as text. */
const binaryText = (column: string) => ({
  type: DataTypes.STRING(255).BINARY,
  get(this: Model): string {
    const raw = this.getDataValue(column) as Buffer | string | null;
    return raw === null || raw === undefined ? '' : Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  },
});

/** A one-letter code (rs, content, quar_type…): blank is '' on both databases, and NULL stays NULL. */
const letter = (column: string) => ({
  type: DataTypes.CHAR(1),
  get(this: Model): string | null {
    const raw = this.getDataValue(column) as string | null | undefined;
    // PostgreSQL pads char(1): amavisd's blank, and our own '', read back as ' ' there and as '' on MariaDB.
    return raw === null || raw === undefined ? null : raw.trimEnd();
  },
});

/** msgs.time_iso as amavis writes it: char(16) text on MariaDB, a timestamp with time zone on PostgreSQL. */
const isoTime = (postgres: boolean) => ({
  type: postgres ? DataTypes.DATE : DataTypes.CHAR(16),
  get(this: Model): string {
    const raw = this.getDataValue('time_iso') as Date | string | null;
    return raw instanceof Date ? raw.toISOString().replace(/[-:]|\.\d{3}/g, '') : (raw ?? '');
  },
});

const common = { timestamps: false, freezeTableName: true } as const;

/** Defines the amavis storage models on a connection, with the column types of its dialect's schema. */
export function defineAmavisModels(sequelize: Sequelize): AmavisModels {
  const postgres = sequelize.getDialect() === 'postgres';
  // README.sql-pg's ids are serial/integer and its counters plain integer (PostgreSQL has no UNSIGNED).
  const bigId = postgres ? DataTypes.INTEGER : DataTypes.BIGINT.UNSIGNED;
  const unsigned = postgres ? DataTypes.INTEGER : DataTypes.INTEGER.UNSIGNED;
  const Maddr = sequelize.define<MaddrRow>(
    'maddr',
    {
      partition_tag: { type: DataTypes.INTEGER, defaultValue: 0 },
      id: { type: bigId, primaryKey: true, autoIncrement: true },
      email: binaryText('email'),
      domain: DataTypes.STRING,
    },
    common,
  );

  const Msg = sequelize.define<MsgRow>(
    'msgs',
    {
      partition_tag: { type: DataTypes.INTEGER, primaryKey: true, defaultValue: 0 },
      mail_id: { ...binaryText('mail_id'), primaryKey: true },
      secret_id: binaryText('secret_id'),
      am_id: DataTypes.STRING,
      time_num: unsigned,
      time_iso: isoTime(postgres),
      sid: bigId,
      policy: DataTypes.STRING,
      client_addr: DataTypes.STRING,
      size: unsigned,
      originating: letter('originating'),
      content: letter('content'),
      quar_type: letter('quar_type'),
      quar_loc: binaryText('quar_loc'),
      dsn_sent: letter('dsn_sent'),
      spam_level: DataTypes.FLOAT,
      message_id: DataTypes.STRING,
      from_addr: DataTypes.STRING,
      subject: DataTypes.STRING,
      host: DataTypes.STRING,
    },
    common,
  );

  const Msgrcpt = sequelize.define<MsgrcptRow>(
    'msgrcpt',
    {
      partition_tag: { type: DataTypes.INTEGER, primaryKey: true, defaultValue: 0 },
      mail_id: { ...binaryText('mail_id'), primaryKey: true },
      rseqnum: { type: DataTypes.INTEGER, primaryKey: true },
      rid: bigId,
      is_local: letter('is_local'),
      content: letter('content'),
      ds: letter('ds'),
      rs: letter('rs'),
      bl: letter('bl'),
      wl: letter('wl'),
      bspam_level: DataTypes.FLOAT,
      smtp_resp: DataTypes.STRING,
    },
    common,
  );

  const Quarantine = sequelize.define<QuarantineRow>(
    'quarantine',
    {
      partition_tag: { type: DataTypes.INTEGER, primaryKey: true, defaultValue: 0 },
      mail_id: { ...binaryText('mail_id'), primaryKey: true },
      chunk_ind: { type: unsigned, primaryKey: true },
      mail_text: DataTypes.BLOB,
    },
    common,
  );

  return { Maddr, Msg, Msgrcpt, Quarantine };
}

const defined = new WeakMap<Sequelize, AmavisModels>();

/** The amavis models on a context's storage database, for tests that read back what amavisd or the server wrote. */
export function amavisModels(context: { sequelize: Sequelize }): AmavisModels {
  let models = defined.get(context.sequelize);
  if (!models) {
    models = defineAmavisModels(context.sequelize);
    defined.set(context.sequelize, models);
  }
  return models;
}
