/**
 * Starts Tongban processes (the built dist/bin/tongban.js) as separate OS processes, as they run
 * in production, and collects their logs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { projectPath } from "../../services/common/paths";

const ENTRY = projectPath("dist", "bin", "tongban.js");

export interface HubProcess {
  name: string;
  proc: ChildProcess;
  /** Everything the process has printed so far. */
  logs(): string;
  /** Waits until the output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** Spawns one hub process with the given environment (merged over a minimal base). */
export function spawnHub(name: string, env: Record<string, string>): HubProcess {
  // HUB_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") are node flags for the hub only.
  const nodeArgs = (process.env.HUB_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, ENTRY], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", NODE_ID: `${name}-${process.pid}`, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const w of [...waiters]) w();
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  let exited = false;
  proc.on("exit", () => {
    exited = true;
    for (const w of [...waiters]) w();
  });

  return {
    name,
    proc,
    logs: () => output,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name}: no output matching ${pattern} within ${timeoutMs} ms. Output:\n${output.slice(-4000)}`));
        }, timeoutMs);
        const check = () => {
          const m = output.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          } else if (exited) {
            cleanup();
            reject(new Error(`${name} exited (code ${proc.exitCode}) before ${pattern}. Output:\n${output.slice(-4000)}`));
          }
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
        };
        waiters.push(check);
        check();
      });
    },
    async stop() {
      if (!exited) await stopChild(proc, 15_000);
    },
  };
}

/** The port a process reports for a listener ("gRPC edge listening on port N"). */
export async function reportedPort(p: HubProcess, what: "gRPC edge" | "HTTP"): Promise<number> {
  const m = await p.waitFor(new RegExp(`${what} listening on port (\\d+)`));
  return Number(m[1]);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited (at once if it has). */
export function stopChild(proc: ChildProcess, graceMs: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const kill = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    proc.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill("SIGTERM");
  });
}
