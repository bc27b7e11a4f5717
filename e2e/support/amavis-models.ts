import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/**
 * Models of amavisd-new's storage tables (README.sql-mysql, 2.13). amavisd owns these tables: we never
 * sync or alter them. The email and id columns are VARBINARY, so the driver returns Buffers; the
 * getters turn them into text (UTF-8, as $sql_allow_8bit_address stores it).
 */
export interface AmavisModels {
  Maddr: ModelStatic<MaddrRow>;
  Msg: ModelStatic<MsgRow>;
  Msgrcpt: ModelStatic<MsgrcptRow>;
  Quarantine: ModelStatic<QuarantineRow>;
}

export interface MaddrRow extends Model {
  partition_tag: number;
  id: string;
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
  sid: string;
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
  rid: string;
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

/** Reads a VARBINARY column as text. */
const binaryText = (column: string) => ({
  type: DataTypes.STRING(255).BINARY,
  get(this: Model): string {
    const raw = this.getDataValue(column) as Buffer | string | null;
    return raw === null || raw === undefined ? '' : Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  },
});

const common = { timestamps: false, freezeTableName: true } as const;

/** Defines the amavis storage models on a connection. */
export function defineAmavisModels(sequelize: Sequelize): AmavisModels {
  const Maddr = sequelize.define<MaddrRow>(
    'maddr',
    {
      partition_tag: { type: DataTypes.INTEGER, defaultValue: 0 },
      id: { type: DataTypes.BIGINT.UNSIGNED, primaryKey: true, autoIncrement: true },
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
      time_num: DataTypes.INTEGER.UNSIGNED,
      time_iso: DataTypes.CHAR(16),
      sid: DataTypes.BIGINT.UNSIGNED,
      policy: DataTypes.STRING,
      client_addr: DataTypes.STRING,
      size: DataTypes.INTEGER.UNSIGNED,
      originating: DataTypes.CHAR(1),
      content: DataTypes.CHAR(1),
      quar_type: DataTypes.CHAR(1),
      quar_loc: binaryText('quar_loc'),
      dsn_sent: DataTypes.CHAR(1),
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
      rid: DataTypes.BIGINT.UNSIGNED,
      is_local: DataTypes.CHAR(1),
      content: DataTypes.CHAR(1),
      ds: DataTypes.CHAR(1),
      rs: DataTypes.CHAR(1),
      bl: DataTypes.CHAR(1),
      wl: DataTypes.CHAR(1),
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
      chunk_ind: { type: DataTypes.INTEGER.UNSIGNED, primaryKey: true },
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
