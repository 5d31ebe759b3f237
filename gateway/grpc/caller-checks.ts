/**
 * Authentication and authorisation of departments, at the gRPC edge and the portal: the token's
 * key is looked up in the department registry over the bus, and the (department, method) grant
 * likewise; answers are kept for a few seconds and dropped when the registry announces a change.
 *
 * A token is good for one call: its jti is remembered in the shared store (Redis when configured,
 * so every edge replica knows it) until the token expires, and a second use is refused — a token
 * copied from a log or a proxy cannot be replayed. Failed authentications are counted per client
 * address; past `failuresPerMinute` in a minute the address is refused before any signature is
 * checked (a flood of forged tokens costs the hub nothing more).
 */
import type { ServiceBroker } from "moleculer";
import { rateLimited } from "../../services/common/metrics";
import { CLOCK_SKEW_SECONDS, TokenError, verifyDepartmentTokenClaims, type PublicCredential } from "../../services/common/department-token";
import { Memo } from "../../services/common/memo";
import type { SharedStore } from "../../services/common/shared-store";

/** How long a registry answer is kept (a change announced by the registry drops it sooner). */
const TTL_MS = 10_000;

/** An address that failed to authenticate too often this minute: refused before its token is looked at. */
export class AuthThrottled extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed authentications from this address; try again in ${retryAfterSeconds} s`);
    this.name = "AuthThrottled";
  }
}

/** "ipv4:10.0.0.5:51234" or "ipv6:[::1]:51234" (grpc-js) or a plain address -> the address without its port. */
export function peerAddress(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, "");
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  if (v6) return v6[1];
  return bare.replace(/:\d+$/, "").replace(/^::ffff:/, "");
}

/** Verifies tokens and grants for one edge. */
export class CallerChecks {
  private readonly credentials = new Memo<Promise<PublicCredential | null>>(TTL_MS);
  private readonly grants = new Memo<Promise<boolean>>(TTL_MS);

  constructor(
    private readonly broker: ServiceBroker,
    private readonly maxTokenAgeSeconds: number,
    private readonly store: SharedStore,
    private readonly failuresPerMinute: number,
    /** The edge these checks guard ("grpc", "portal"): each counts its own failures, so junk sent to one does not lock an address out of the other. */
    private readonly edge: string,
  ) {}

  /**
   * The department a bearer token speaks for. TokenError when it does not verify or was used
   * before; AuthThrottled when `peer` (the client address) failed too often this minute at this edge.
   */
  async authenticate(token: string, peer: string): Promise<string> {
    const window = Math.floor(Date.now() / 60_000);
    const failuresKey = `auth-failures:${this.edge}:${peer}:${window}`;
    if (Number((await this.store.get(failuresKey)) ?? 0) >= this.failuresPerMinute) {
      rateLimited.inc({ limit: "auth_failures" });
      throw new AuthThrottled(60 - Math.floor((Date.now() / 1000) % 60));
    }
    try {
      const verified = await verifyDepartmentTokenClaims(
        token,
        (keyId) => this.credentials.get(keyId, () => this.broker.call<PublicCredential | null, object>("departments.credential", { keyId })),
        this.maxTokenAgeSeconds,
      );
      const keepMs = (verified.exp + CLOCK_SKEW_SECONDS) * 1000 - Date.now();
      if (!(await this.store.setIfAbsent(`jti:${verified.department}:${verified.jti}`, "1", Math.max(1000, keepMs)))) {
        throw new TokenError("token was used before: sign a new token (with a new jti) for every call");
      }
      return verified.department;
    } catch (err) {
      if (err instanceof TokenError) await this.store.increment(failuresKey, 61_000);
      throw err;
    }
  }

  /** Whether the department may call the method (its owner, or granted by the owner). */
  isAllowed(department: string, method: string): Promise<boolean> {
    return this.grants.get(`${department} ${method}`, async () =>
      (await this.broker.call<{ allowed: boolean }, object>("departments.isAllowed", { department, method })).allowed,
    );
  }

  /** Drops cached answers (the registry changed). */
  clear() {
    this.credentials.clear();
    this.grants.clear();
  }
}
