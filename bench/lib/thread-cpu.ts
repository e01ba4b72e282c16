import { readdirSync, readFileSync } from 'node:fs';

/** CPU milliseconds spent so far by this process's main thread and by all its other threads together. */
export interface ThreadCpu {
  mainMs: number;
  otherMs: number;
}

// USER_HZ: the unit of utime and stime in /proc/<pid>/task/<tid>/stat; 100 on every Linux build Node supports.
const msPerTick = 10;

/**
 * Reads per-thread CPU from /proc (Linux), so a benchmark can tell the event loop's own work from the thread pool's
 * (Argon2, file I/O) and V8's helper threads: process.cpuUsage() sums them. Threads that have ended are no longer
 * counted. Null where /proc is missing.
 */
export function threadCpu(): ThreadCpu | null {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  const out = { mainMs: 0, otherMs: 0 };
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    // Fields after the command name, which is in parentheses and may itself hold spaces: utime is the 14th field
    // of the line, stime the 15th, so the 12th and 13th after the name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * msPerTick;
    if (tid === String(process.pid)) out.mainMs += ms;
    else out.otherMs += ms;
  }
  return out;
}

/** The CPU spent between two readings, or null when either is missing. */
export function threadCpuSince(before: ThreadCpu | null, after: ThreadCpu | null): ThreadCpu | null {
  if (before === null || after === null) return null;
  return { mainMs: after.mainMs - before.mainMs, otherMs: after.otherMs - before.otherMs };
}
