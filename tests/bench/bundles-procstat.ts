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

/** User + system CPU seconds a process has used so far (undefined when gone). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by every process whose command name is `comm` (e.g. "postgres": the
 * server's backends and its background processes). A process that exits between two readings
 * takes its share with it: the benchmark's pooled connections live through a phase.
 */
export function cpuSecondsOfCommand(comm: string): number {
  let total = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) !== comm) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
      // Gone between the listing and the read.
    }
  }
  return total;
}

/** CPU seconds the whole machine has been busy so far, summed over its cores (/proc/stat: all but idle and iowait). */
export function machineBusySeconds(): number {
  const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}
