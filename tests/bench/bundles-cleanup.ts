/**
 * Everything the benchmark starts or creates is registered here as soon as it exists, and undone
 * in reverse order at the end, on a signal or when the watchdog fires; each undo is bounded in
 * time. Child processes still alive when this process exits are killed.
 */
import type { ChildProcess } from "node:child_process";
import { describe, withTimeout } from "./bundles-util";

const resources: Array<{ name: string; undo: () => Promise<void>; done: boolean }> = [];
const pids = new Set<number>();

export function track(name: string, undo: () => Promise<void>): void {
  resources.push({ name, undo, done: false });
}

/** A child process to kill (SIGKILL) if it is still running when this process exits. */
export function trackChild(child: ChildProcess): void {
  const pid = child.pid;
  if (!pid || child.exitCode !== null || child.signalCode !== null) return;
  pids.add(pid);
  child.once("exit", () => pids.delete(pid));
}

let cleaning: Promise<void> | undefined;

/** Undoes every registered resource, newest first; returns the problems met. */
export function cleanupAll(log: (line: string) => void): Promise<void> {
  cleaning ??= (async () => {
    for (const r of [...resources].reverse()) {
      if (r.done) continue;
      r.done = true;
      await withTimeout(r.undo(), 60_000, `cleanup of ${r.name}`).catch((err) => log(`cleanup: ${r.name}: ${describe(err)}`));
    }
  })();
  return cleaning;
}

process.on("exit", () => {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});
