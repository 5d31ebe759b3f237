/**
 * The machine's shared servers the integration tests use for real. A server that cannot be
 * reached fails the suite with how to start it; nothing is skipped.
 */
import net from "node:net";

export const NATS_URL = process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const HOW_TO_START: Record<string, string> = {
  NATS: "start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server",
  Redis: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  PostgreSQL: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
};

/**
 * Where a server URL connects: host and port, or for PostgreSQL over its Unix socket
 * (`postgres://user@localhost/db?host=/var/run/postgresql`, as libpq and pg take it) the socket file.
 */
function endpointOf(url: string): net.NetConnectOpts {
  const u = new URL(url);
  const socketDir = u.searchParams.get("host");
  if (socketDir?.startsWith("/")) return { path: `${socketDir}/.s.PGSQL.${u.port || 5432}` };
  return { host: u.hostname, port: Number(u.port) };
}

function reachable(url: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(endpointOf(url));
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Throws, naming each unreachable server and the command that starts it. */
export async function requireServers(): Promise<void> {
  const servers: Array<[string, string]> = [
    ["NATS", NATS_URL],
    ["Redis", REDIS_URL],
    ["PostgreSQL", POSTGRES_URL],
  ];
  const down: string[] = [];
  for (const [name, url] of servers) {
    if (!(await reachable(url))) down.push(`${name} is not reachable at ${url}. Start it with:\n    ${HOW_TO_START[name]}`);
  }
  if (down.length > 0) throw new Error(`Integration tests need the machine's servers:\n  ${down.join("\n  ")}`);
}
