/** Memory and CPU of the hub's processes, read from /proc (Linux). */
import fs from "node:fs";

/** Peak resident set (VmHWM) in MB, or undefined when the process is gone. */
export function peakRssMb(pid: number): number | undefined {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmHWM:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resets the peak RSS of a process we started (writing 5 to /proc/<pid>/clear_refs), so that
 * VmHWM read later is the peak of one phase. Returns false when the kernel refuses it (then VmHWM
 * is the peak since the process started).
 */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** A process's command name and user + system CPU seconds so far, from /proc/<pid>/stat (undefined when gone). */
function processStat(pid: number | string): { comm: string; cpuSeconds: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
    return { comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds a process has used so far (undefined when gone). */
export function cpuSeconds(pid: number): number | undefined {
  return processStat(pid)?.cpuSeconds;
}

/**
 * User + system CPU seconds a process's main thread (its event loop, for Node) has used so far,
 * from /proc/<pid>/task/<pid>/stat; the rest of the process's CPU is its other threads' (a hub's
 * SM2 signing threads, V8's garbage-collection helpers, libuv's pool). Undefined when gone.
 */
export function mainThreadCpuSeconds(pid: number): number | undefined {
  return processStat(`${pid}/task/${pid}`)?.cpuSeconds;
}

/** CPU seconds used so far by each process (by pid) whose command name is `comm`, e.g. "postgres": the server's backends and its background processes. */
export function cpuSecondsOfCommand(comm: string): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    // Gone between the listing and the read: undefined.
    const stat = processStat(entry);
    if (stat?.comm === comm) byPid.set(Number(entry), stat.cpuSeconds);
  }
  return byPid;
}

/**
 * CPU seconds the processes of `after` used since `before` (processes started in between count
 * whole). A process that exited in between is missing from `after`, and what it used since
 * `before` with it: a lower bound when connections close during the phase (an idle pool's do).
 */
export function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** CPU seconds the whole machine has been busy so far, summed over its cores (/proc/stat: all but idle and iowait). */
export function machineBusySeconds(): number {
  const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}
