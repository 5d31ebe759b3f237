/**
 * Private server instances on free ports for tests that stop or restart a server; the machine's
 * shared servers are never touched.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect({ host: "127.0.0.1", port });
      c.once("connect", () => (c.destroy(), resolve(true)));
      c.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listening on ${port} after ${timeoutMs} ms`);
}

export interface OwnServer {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function ownServer(port: number, url: string, command: string, args: string[]): OwnServer {
  let proc: ChildProcess | undefined;
  return {
    port,
    url,
    async start() {
      proc = spawn(command, args, { stdio: "ignore" });
      await waitForPort(port);
    },
    async stop() {
      const p = proc;
      proc = undefined;
      if (!p || p.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        p.once("exit", () => resolve());
        p.kill("SIGKILL");
      });
    },
  };
}

/** A private nats-server (with JetStream) on a free port. */
export async function ownNats(): Promise<OwnServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-nats-"));
  return ownServer(port, `nats://127.0.0.1:${port}`, "nats-server", ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir]);
}

/** A private redis-server on a free port, keeping nothing on disk. */
export async function ownRedis(): Promise<OwnServer> {
  const port = await freePort();
  return ownServer(port, `redis://127.0.0.1:${port}`, "redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"]);
}
