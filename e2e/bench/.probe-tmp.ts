import { createSequelize } from '/work/main/server/db/connect';
import { createQuarantineLister } from '/work/main/server/services/quarantine-list';
import { captureQueries } from '/work/main/e2e/bench/explain';
import { connectBench } from '/work/main/e2e/bench/generate';
const url = 'mysql://amavis:amavis-test-pw@127.0.0.1:3306/amavis_bench';
const seq = createSequelize(url);
const conn = await connectBench(url);
const lister = createQuarantineLister(seq, { recipientDelimiter: '+' });
const email = process.argv[2] ?? 'info@example0.test';
const cap = captureQueries(seq);
await lister.list({ kind: 'addresses', addresses: [email] }, { limit: 50 });
await lister.list({ kind: 'addresses', addresses: [email] }, { limit: 50 });
const sqls = cap.take(); cap.stop();
const time = async (label: string, sql: string) => {
  for (let i = 0; i < 5; i++) await conn.query(sql);
  const t: number[] = [];
  for (let i = 0; i < 30; i++) { const s = performance.now(); await conn.query(sql); t.push(performance.now() - s); }
  t.sort((a, b) => a - b);
  console.log(label.padEnd(40), 'p50', t[15]!.toFixed(2), 'p95', t[28]!.toFixed(2));
};
const steady = sqls.slice(sqls.length / 2);
for (const [i, s] of steady.entries()) await time(`stmt ${i}: ${s.slice(0, 30)}`, s);
const last = steady.at(-1)!;
if (/^SELECT m\.partition_tag AS partition_tag, m\.mail_id AS mail_id, mr\.rseqnum/.test(last)) {
  await time('step2 IGNORE INDEX rid', last.replace('FROM msgrcpt mr', 'FROM msgrcpt mr IGNORE INDEX (msgrcpt_idx_rid)'));
}
const rids = /mr\.rid IN \(([^)]*)\)/.exec(steady.find((s) => s.includes('mr.rid IN'))!)![1];
const recipientPlan = `SELECT STRAIGHT_JOIN m.partition_tag, m.mail_id, mr.rseqnum, m.time_num, m.size, m.from_addr, m.subject, m.spam_level, mr.content, mr.rs, mr.bspam_level, r.email AS recipient, s.email AS sender FROM msgrcpt mr JOIN msgs m ON m.partition_tag = mr.partition_tag AND m.mail_id = mr.mail_id JOIN maddr r ON r.id = mr.rid LEFT JOIN maddr s ON s.id = m.sid WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND mr.rid IN (${rids}) AND mr.rs <> 'D' ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC, mr.rseqnum DESC LIMIT 51`;
await time('recipient plan', recipientPlan);
const step1lean = `SELECT m.partition_tag, m.mail_id FROM msgs m FORCE INDEX (msgs_idx_time_num) WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND EXISTS (SELECT 1 FROM msgrcpt mr WHERE mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id AND mr.rid IN (${rids}) AND mr.rs <> 'D') ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC LIMIT 51`;
await time('time plan step1 without maddr joins', step1lean);
await seq.close(); await conn.end();
