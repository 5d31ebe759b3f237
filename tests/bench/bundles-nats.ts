/**
 * The benchmark's own nats-server on free loopback ports, with the monitoring endpoint enabled so
 * that message counts can be read from /varz. Never the machine's shared server.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { stopChild } from "../support/hub-process";
import { freePort } from "../support/own-servers";
import { trackChild } from "./bundles-cleanup";
import { sleep } from "./bundles-util";

const NATS_SERVER = fs.existsSync("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server";

export interface NatsCounters {
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  connections: number;
}

export interface BenchNats {
  url: string;
  pid: number;
  varz(): Promise<NatsCounters>;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect({ host: "127.0.0.1", port });
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => resolve(false));
  });
}

export async function startBenchNats(): Promise<BenchNats> {
  const port = await freePort();
  let monitorPort = await freePort();
  while (monitorPort === port) monitorPort = await freePort();
  const proc: ChildProcess = spawn(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(port), "-m", String(monitorPort)], { stdio: ["ignore", "ignore", "pipe"] });
  trackChild(proc);
  let stderr = "";
  proc.stderr!.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const until = Date.now() + 10_000;
  while (!(await portOpen(port)) || !(await portOpen(monitorPort))) {
    if (proc.exitCode !== null) throw new Error(`nats-server exited (code ${proc.exitCode}): ${stderr}`);
    if (Date.now() > until) {
      proc.kill("SIGKILL");
      throw new Error(`nats-server did not listen on ${port}/${monitorPort} within 10 s: ${stderr}`);
    }
    await sleep(100);
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: proc.pid!,
    async varz() {
      const res = await fetch(`http://127.0.0.1:${monitorPort}/varz`);
      const v = (await res.json()) as { in_msgs: number; out_msgs: number; in_bytes: number; out_bytes: number; connections: number };
      return { inMsgs: v.in_msgs, outMsgs: v.out_msgs, inBytes: v.in_bytes, outBytes: v.out_bytes, connections: v.connections };
    },
    stop: () => stopChild(proc, 5000),
  };
}
