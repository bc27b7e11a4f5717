import os from 'node:os';
import type { BenchDb } from './bench-db';

const mb = (bytes: unknown) => Math.round(Number(bytes) / 1048576);

/** The server, its cache against the data, and the machine's load: they decide the figures. */
export async function describeServer(db: BenchDb): Promise<string> {
  const lines = db.kind === 'postgres' ? await describePostgres(db) : await describeMariadb(db);
  lines.push(`client load average ${os.loadavg()[0]?.toFixed(2)} on ${os.availableParallelism()} CPUs (the machine is shared: sub-millisecond p95s are noisy)`);
  return lines.join('\n');
}

async function describeMariadb(db: BenchDb): Promise<string[]> {
  const [row] = await db.query<{ version: string; pool: string; data: string }>(
    `SELECT @@version AS version, @@innodb_buffer_pool_size AS pool,
       (SELECT SUM(data_length + index_length) FROM information_schema.tables
         WHERE table_schema = DATABASE() AND table_name IN ('msgs', 'msgrcpt', 'maddr')) AS data`,
  );
  const pool = mb(row?.pool);
  const data = mb(row?.data);
  const lines = [`server ${String(row?.version)}; innodb_buffer_pool_size ${pool} MB for ${data} MB of msgs+msgrcpt+maddr (data and indexes); stock amavis indexes only`];
  if (pool < data)
    lines.push('note: the buffer pool is smaller than the tables, so plans that touch many random rows read pages from outside it (as on a stock install)');
  return lines;
}

async function describePostgres(db: BenchDb): Promise<string[]> {
  const [row] = await db.query<{ version: string; pool: string; data: string; work_mem: string; jit: string; rpc: string; cache: string }>(
    `SELECT split_part(version(), ' on ', 1) AS version,
       (SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers') AS pool,
       pg_total_relation_size('msgs') + pg_total_relation_size('msgrcpt') + pg_total_relation_size('maddr') AS data,
       current_setting('work_mem') AS work_mem, current_setting('jit') AS jit,
       current_setting('random_page_cost') AS rpc, current_setting('effective_cache_size') AS cache`,
  );
  const pool = mb(row?.pool);
  const data = mb(row?.data);
  const lines = [
    `server ${String(row?.version)}; shared_buffers ${pool} MB for ${data} MB of msgs+msgrcpt+maddr (data and indexes); stock amavis indexes only`,
    `work_mem ${String(row?.work_mem)}, random_page_cost ${String(row?.rpc)}, effective_cache_size ${String(row?.cache)}, jit ${String(row?.jit)}`,
  ];
  if (pool < data) lines.push("note: shared_buffers is smaller than the tables; pages outside it come from the OS's page cache (PostgreSQL's usual setup)");
  return lines;
}
