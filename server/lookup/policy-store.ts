import { QueryTypes, type Transaction } from 'sequelize';
import { POLICY_FIELDS, POLICY_FLAG_FIELDS, POLICY_LEVEL_FIELDS, type PolicyField, type PolicyValue, type PolicyValues } from '../../shared/policy';
import { binaryText } from '../amavis/binary';
import type { LookupStore } from './lookup-store';

/** One users row that matches a recipient, with the policy it points at (LEFT JOIN: a dangling policy_id reads as all NULL). */
export interface PolicyRow {
  userId: number;
  key: string;
  priority: number;
  policyId: number;
  policyName: string | null;
  values: PolicyValues;
}

/**
 * SQL on amavis's `policy` table and `users.policy_id` (or ISPConfig's spamfilter_policy and
 * spamfilter_users.policy_id: the same columns), on MariaDB/MySQL or PostgreSQL. Values go in and
 * come out as the API types: levels as numbers (float/real columns), flags as booleans ('Y'/'N' char(1)),
 * quarantine_to as text.
 */
export interface PolicyStore {
  /** The rows amavisd would read for these keys, highest priority first (as amavisd orders them). */
  rowsOf(keys: string[], t?: Transaction): Promise<PolicyRow[]>;
  /** Locks the users row for the transaction (our own policy rows are written only under it) and reads its policy. */
  lockUser(userId: number, t: Transaction): Promise<{ policyId: number; policyName: string | null; values: PolicyValues }>;
  /** How many users rows point at this policy. */
  usersOfPolicy(policyId: number, t: Transaction): Promise<number>;
  /** A new policy row named `name`, copying every column of `from` (if any), then setting `values`. */
  createPolicy(name: string, from: number | null, values: Partial<PolicyValues>, t: Transaction): Promise<number>;
  updatePolicy(policyId: number, values: Partial<PolicyValues>, t: Transaction): Promise<void>;
  pointUser(userId: number, policyId: number, t: Transaction): Promise<void>;
}

const LEVELS: ReadonlySet<PolicyField> = new Set(POLICY_LEVEL_FIELDS);
const FLAGS: ReadonlySet<PolicyField> = new Set(POLICY_FLAG_FIELDS);
const COLUMN = /^[a-z][a-z0-9_]*$/;

/** A column's value as the API type; anything else in a flag column (another tool's 'y', '1') is read as amavis reads it. */
export function fromColumn(field: PolicyField, raw: unknown): PolicyValue | null {
  if (raw === null || raw === undefined) return null;
  if (LEVELS.has(field)) return Number(raw);
  // amavis's SQLfield takes Y/y/1/T as true, N/n/0/F/blank as false (char(1) may come back space-padded).
  if (FLAGS.has(field)) return /^[YyTt1]/.test(binaryText(raw as Buffer | string).trim());
  return binaryText(raw as Buffer | string);
}

/** An API value as the column's. */
export function toColumn(field: PolicyField, value: PolicyValue | null): number | string | null {
  if (value === null) return null;
  if (FLAGS.has(field)) return value === true ? 'Y' : 'N';
  return LEVELS.has(field) ? Number(value) : String(value);
}

const nameOf = (v: unknown): string | null => (v === null || v === undefined ? null : binaryText(v as Buffer | string));
const valuesOf = (row: Record<string, unknown>) => Object.fromEntries(POLICY_FIELDS.map((f) => [f, fromColumn(f, row[f])])) as PolicyValues;

export function createPolicyStore(lookup: LookupStore): PolicyStore {
  const { sequelize } = lookup;
  const { users: usersTable, policy: policyTable } = lookup.tables;
  const pg = sequelize.getDialect() === 'postgres';
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>, t?: Transaction) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements, transaction: t });
  const run = (sql: string, replacements: Record<string, unknown>, t: Transaction) => sequelize.query(sql, { replacements, transaction: t });
  const policyColumns = POLICY_FIELDS.map((f) => `p.${f} AS ${f}`).join(', ');
  const setClause = (values: Partial<PolicyValues>, replacements: Record<string, unknown>) =>
    Object.entries(values).map(([field, value]) => {
      replacements[`v_${field}`] = toColumn(field as PolicyField, value ?? null);
      return `${field} = :v_${field}`;
    });

  return {
    async rowsOf(keys, t) {
      if (!keys.length) return [];
      const replacements: Record<string, unknown> = {};
      // bytea on PostgreSQL compares with the key converted; VARBINARY on MariaDB compares bytes.
      const list = keys.map((k, i) => {
        replacements[`k${i}`] = k;
        return pg ? `convert_to(:k${i}, 'UTF8')` : `:k${i}`;
      });
      const rows = await select<Record<string, unknown>>(
        `SELECT u.id AS user_id, u.email AS email, u.priority AS priority, u.policy_id AS policy_id, p.policy_name AS policy_name, ${policyColumns}
           FROM ${usersTable} u LEFT JOIN ${policyTable} p ON p.id = u.policy_id WHERE u.email IN (${list.join(', ')}) ORDER BY u.priority DESC`,
        replacements,
        t,
      );
      const order = (key: string) => keys.indexOf(key);
      return rows
        .map((r) => ({
          userId: Number(r.user_id),
          key: binaryText(r.email as Buffer | string),
          priority: Number(r.priority),
          policyId: Number(r.policy_id),
          policyName: nameOf(r.policy_name),
          values: valuesOf(r),
        }))
        .sort((a, b) => b.priority - a.priority || order(a.key) - order(b.key));
    },

    async lockUser(userId, t) {
      const [user] = await select<{ policy_id: number }>(
        `SELECT policy_id FROM ${usersTable} WHERE id = :userId${sequelize.getDialect() === 'sqlite' ? '' : ' FOR UPDATE'}`,
        { userId },
        t,
      );
      if (!user) throw new Error(`users row ${userId} is gone`);
      const [policy] = await select<Record<string, unknown>>(
        `SELECT p.policy_name AS policy_name, ${policyColumns} FROM ${policyTable} p WHERE p.id = :id`,
        { id: Number(user.policy_id) },
        t,
      );
      const empty = Object.fromEntries(POLICY_FIELDS.map((f) => [f, null])) as PolicyValues;
      return {
        policyId: Number(user.policy_id),
        policyName: nameOf(policy?.policy_name),
        values: policy ? valuesOf(policy) : empty,
      };
    },

    async usersOfPolicy(policyId, t) {
      const [row] = await select<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${usersTable} WHERE policy_id = :policyId`, { policyId }, t);
      return Number(row?.n ?? 0);
    },

    async createPolicy(name, from, values, t) {
      // Copy-on-write keeps every column of the shared row (another tool's virus_lover, banned_rulenames…),
      // NULLs included: ISPConfig's Y/N columns default to 'N', which would turn an inherited flag into a set one.
      const [source] = from === null ? [] : await select<Record<string, unknown>>(`SELECT * FROM ${policyTable} WHERE id = :from`, { from }, t);
      const replacements: Record<string, unknown> = { policy_name: name };
      const columns = ['policy_name'];
      for (const [column, value] of Object.entries(source ?? {})) {
        if (column === 'id' || column === 'policy_name' || !COLUMN.test(column)) continue;
        columns.push(column);
        replacements[`c_${column}`] = value;
      }
      for (const [field, value] of Object.entries(values)) {
        if (!columns.includes(field)) columns.push(field);
        replacements[`c_${field}`] = toColumn(field as PolicyField, value ?? null);
      }
      const placeholders = columns.map((c) => (c === 'policy_name' ? ':policy_name' : `:c_${c}`)).join(', ');
      const insert = `INSERT INTO ${policyTable} (${columns.join(', ')}) VALUES (${placeholders})`;
      if (pg) {
        const [made] = await select<{ id: number }>(`${insert} RETURNING id`, replacements, t);
        return Number(made?.id);
      }
      await run(insert, replacements, t);
      // Same connection (the transaction's): LAST_INSERT_ID() is this INSERT's.
      const [made] = await select<{ id: number }>('SELECT LAST_INSERT_ID() AS id', {}, t);
      return Number(made?.id);
    },

    async updatePolicy(policyId, values, t) {
      const replacements: Record<string, unknown> = { policyId };
      const sets = setClause(values, replacements);
      if (sets.length) await run(`UPDATE ${policyTable} SET ${sets.join(', ')} WHERE id = :policyId`, replacements, t);
    },

    async pointUser(userId, policyId, t) {
      await run(`UPDATE ${usersTable} SET policy_id = :policyId WHERE id = :userId`, { userId, policyId }, t);
    },
  };
}
