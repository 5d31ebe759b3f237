/**
 * Changes written by other gateway replicas, heard through PostgreSQL LISTEN on CHANGE_CHANNEL
 * (store.ts: a transition NOTIFYs in its own statement while other replicas are on the bus). One
 * dedicated connection per replica, outside the pool: a listening session must stay open. When it
 * drops (a server restart), it is opened again after a growing pause; meanwhile `listening` is
 * false and waiting reads rely on their timeout, which is bounded (MAX_STATUS_WAIT_SECONDS).
 */
import { Client } from "pg";
import { rootLogger } from "../../services/common/logger";
import { CHANGE_CHANNEL } from "./store";

export interface ChangeFeed {
  /** Whether the LISTEN session is up now. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/**
 * Listens on `url` for other replicas' changes; `onChange(applicationId)` for each one not written
 * by `self` (the payload is "<writer>\t<application id>", see changePayloadOf).
 */
export function startChangeFeed(url: string, self: string, onChange: (applicationId: string) => void): ChangeFeed {
  const log = rootLogger().child({ mod: "change-feed" });
  let client: Client | undefined;
  let listening = false;
  let closed = false;
  let pause = 250;
  let timer: NodeJS.Timeout | undefined;

  const again = () => {
    listening = false;
    const c = client;
    client = undefined;
    void c?.end().catch(() => undefined);
    if (closed) return;
    timer = setTimeout(() => void open(), pause);
    timer.unref();
    pause = Math.min(pause * 2, 10_000);
  };
  async function open(): Promise<void> {
    if (closed) return;
    const c = new Client({ connectionString: url });
    client = c;
    c.on("error", (err) => {
      if (client !== c) return;
      log.warn({ err }, "the change feed's connection failed; listening again shortly");
      again();
    });
    c.on("end", () => {
      if (client === c && !closed) again();
    });
    c.on("notification", (n) => {
      const payload = n.payload ?? "";
      const tab = payload.indexOf("\t");
      if (tab < 0 || payload.slice(0, tab) === self) return;
      onChange(payload.slice(tab + 1));
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGE_CHANNEL}`);
      if (client !== c) return;
      listening = true;
      pause = 250;
    } catch (err) {
      if (client !== c) return;
      log.warn({ err }, "could not listen for other replicas' changes; trying again shortly");
      again();
    }
  }
  void open();
  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      listening = false;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}

/** The NOTIFY payload of a change of `applicationId` written by replica `self`. */
export const changePayloadOf = (self: string, applicationId: string) => `${self}\t${applicationId}`;
