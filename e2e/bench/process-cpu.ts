import { readdirSync, readFileSync } from 'node:fs';

// /proc/<pid>/stat counts CPU time in clock ticks; Linux's USER_HZ is 100 on every common build.
const TICK_MICROS = 10_000;

/**
 * The CPU time (µs, user + system) used so far by the local processes with one of these names (as in
 * /proc/<pid>/comm), e.g. the database server's, or undefined where /proc cannot tell (not Linux, or no
 * such process: a remote database). A process that ended counts once its parent reaped it (its time moves
 * to the parent's cutime and cstime: PostgreSQL's postmaster collects its backends'); until then it is missed.
 */
export function processCpuMicros(names: readonly string[]): number | undefined {
  let total = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      if (!names.includes(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) continue;
      // The command name, in parentheses, may hold spaces: count the fields after its closing one.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime: fields 14 to 17.
      total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * TICK_MICROS;
      found = true;
    } catch {
      // It ended between the listing and the read.
    }
  }
  return found ? total : undefined;
}
