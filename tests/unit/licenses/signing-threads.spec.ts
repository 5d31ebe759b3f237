/**
 * The signing threads' fallback (signing-threads.ts): when a thread cannot be started, or ends
 * while signatures wait for it, every signature is still made (on the calling thread) and valid.
 * node:worker_threads is replaced by a stand-in that fails the way a real worker reports failure.
 */
import { EventEmitter } from "node:events";
import { sm2 } from "sm-crypto-v2";
import { SM2_DEFAULT_SIGNER_ID } from "../../../services/licenses/signing/signer";

type ThreadsModule = typeof import("../../../services/licenses/signing/signing-threads");

const pair = sm2.generateKeyPairHex();
const data = Buffer.from(JSON.stringify({ holder: "成都示例科技有限公司", n: 1 }));
const request = { data, privateHex: pair.privateKey, publicHex: pair.publicKey, userId: SM2_DEFAULT_SIGNER_ID };

/** signing-threads.ts loaded afresh with `fake` as node:worker_threads' Worker. */
function withWorker(fake: unknown): { m: ThreadsModule; request: typeof request } {
  let m: ThreadsModule | undefined;
  jest.isolateModules(() => {
    jest.doMock("node:worker_threads", () => ({ Worker: fake }));
    m = jest.requireActual<ThreadsModule>("../../../services/licenses/signing/signing-threads");
  });
  return { m: m!, request };
}

/** A request as the pool posts it. */
type Message = { id: number } & typeof request;

/** What the pool uses of a Worker: a stand-in that answers nothing unless a test says how. */
class StandInWorker extends EventEmitter {
  ref() {}
  unref() {}
  terminate(): Promise<number> {
    return Promise.resolve(1);
  }
  postMessage(_msg: Message): void {}
  /** Answers `msg` as the real thread does, with the library's signature. */
  protected answer(msg: Message): void {
    setImmediate(() => this.emit("message", { id: msg.id, der: sm2.doSignature(msg.data, msg.privateHex, { der: true, hash: true, userId: msg.userId, publicKey: msg.publicHex }) }));
  }
}

const valid = (derHex: string) => sm2.doVerifySignature(data, derHex, pair.publicKey, { der: true, hash: true, userId: SM2_DEFAULT_SIGNER_ID });

afterEach(() => jest.resetModules());

describe("signing threads that cannot serve", () => {
  it("a thread that cannot be started: signatures are made on the calling thread, all valid", async () => {
    class NoThreads {
      constructor() {
        throw new Error("ERR_WORKER_INIT_FAILED");
      }
    }
    const { m, request } = withWorker(NoThreads);
    const sigs = await Promise.all(Array.from({ length: 5 }, () => m.sm2SignOffThread(request)));
    expect(sigs.every(valid)).toBe(true);
    expect(m.signaturesMadeOnThreads()).toBe(0);
  });

  it("a thread that ends with signatures waiting: those and the later ones are made here, all valid", async () => {
    class DyingThread extends StandInWorker {
      override postMessage() {
        // A real worker that dies (out of memory, killed) reports exit with a code; the message is never answered.
        setImmediate(() => this.emit("exit", 1));
      }
    }
    const { m, request } = withWorker(DyingThread);
    const waiting = await Promise.all(Array.from({ length: 3 }, () => m.sm2SignOffThread(request)));
    const later = await m.sm2SignOffThread(request);
    expect([...waiting, later].every(valid)).toBe(true);
    expect(m.signaturesMadeOnThreads()).toBe(0);
  });

  it("a library error on the thread (a malformed key) rejects, and is not hidden by signing again here", async () => {
    class Refusing extends StandInWorker {
      override postMessage(msg: Message) {
        setImmediate(() => this.emit("message", { id: msg.id, error: "bad key" }));
      }
    }
    const { m, request } = withWorker(Refusing);
    await expect(m.sm2SignOffThread(request)).rejects.toThrow(/SM2 signing failed: bad key/);
  });
});

describe("signing threads at rest", () => {
  it("threads idle for 30 s are ended, and the next signature starts new ones", async () => {
    const started: Answering[] = [];
    class Answering extends StandInWorker {
      terminated = false;
      constructor() {
        super();
        started.push(this);
      }
      override terminate() {
        this.terminated = true;
        setImmediate(() => this.emit("exit", 1));
        return Promise.resolve(1);
      }
      override postMessage(msg: Message) {
        this.answer(msg);
      }
    }
    const { m } = withWorker(Answering);
    jest.useFakeTimers({ doNotFake: ["setImmediate", "nextTick", "queueMicrotask"] });
    try {
      expect(valid(await m.sm2SignOffThread(request))).toBe(true);
      const first = started.length;
      expect(first).toBeGreaterThan(0);
      jest.advanceTimersByTime(29_000);
      expect(started.every((t) => !t.terminated)).toBe(true);
      jest.advanceTimersByTime(1_000);
      expect(started.every((t) => t.terminated)).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      // An idle thread's exit is no failure: signatures keep going to (new) threads.
      expect(valid(await m.sm2SignOffThread(request))).toBe(true);
      expect(started.length).toBe(2 * first);
      expect(m.signaturesMadeOnThreads()).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it("content larger than LARGEST_ON_THREAD is signed here, without starting a thread", async () => {
    let started = 0;
    class Counting extends StandInWorker {
      constructor() {
        super();
        started++;
      }
    }
    const { m } = withWorker(Counting);
    const big = { ...request, data: Buffer.alloc(m.LARGEST_ON_THREAD + 1, 0x61) };
    const der = await m.sm2SignOffThread(big);
    expect(sm2.doVerifySignature(big.data, der, pair.publicKey, { der: true, hash: true, userId: SM2_DEFAULT_SIGNER_ID })).toBe(true);
    expect(started).toBe(0);
  });

  it("after a thread failed, signatures are made here for a minute, then on new threads", async () => {
    const made: EventEmitter[] = [];
    class FirstDies extends StandInWorker {
      constructor() {
        super();
        made.push(this);
      }
      override postMessage(msg: Message) {
        if (made.indexOf(this) === 0) setImmediate(() => this.emit("exit", 1));
        else this.answer(msg);
      }
    }
    const { m } = withWorker(FirstDies);
    jest.useFakeTimers({ doNotFake: ["setImmediate", "nextTick", "queueMicrotask"] });
    try {
      expect(valid(await m.sm2SignOffThread(request))).toBe(true);
      const first = made.length;
      jest.advanceTimersByTime(59_000);
      expect(valid(await m.sm2SignOffThread(request))).toBe(true);
      expect(made.length).toBe(first);
      jest.advanceTimersByTime(2_000);
      expect(valid(await m.sm2SignOffThread(request))).toBe(true);
      expect(made.length).toBeGreaterThan(first);
      expect(m.signaturesMadeOnThreads()).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
