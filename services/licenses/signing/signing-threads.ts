/**
 * SM2 signatures made on worker threads (node:worker_threads). sm-crypto-v2 signs in JavaScript
 * BigInt arithmetic: about a millisecond of CPU per signature, on the event loop's thread it held
 * up every other request of the process meanwhile, and a 开办企业 signs six times (five licences
 * and the receipt). On threads of their own the signatures use the machine's other cores.
 *
 * The threads only run `sm2.doSignature` of the same library with the same options as signer.ts
 * (GM/T 0003.2 with the GM/T 0009 signer ID, DER); keys are parsed and checked by the caller. When
 * a thread cannot be started or fails, signing falls back to the calling thread: slower, never lost.
 */
import os from "node:os";
import { Worker } from "node:worker_threads";
import { sm2 } from "sm-crypto-v2";
import { rootLogger } from "../../common/logger";

/** What one signature needs: the signed bytes, the key pair as hex (x||y uncompressed with 04) and the signer ID. */
export interface Sm2SignRequest {
  data: Uint8Array;
  privateHex: string;
  publicHex: string;
  userId: string;
}

/** The DER signature (hex) of a request, on the calling thread. */
export function sm2SignHere(r: Sm2SignRequest): string {
  return sm2.doSignature(r.data, r.privateHex, { der: true, hash: true, userId: r.userId, publicKey: r.publicHex });
}

type Message = Sm2SignRequest & { id: number };
type Reply = { id: number; der?: string; error?: string };

/**
 * The threads' program, as text (a worker started with `eval`): it uses nothing of this module,
 * and is no function of it, so coverage instrumentation cannot rewrite it into code the thread
 * cannot run. It answers `{ id, der }` or `{ id, error }` per request, with the same call as sm2SignHere.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { sm2 } = require(workerData.smCrypto);
parentPort.on("message", (m) => {
  try {
    const der = sm2.doSignature(m.data, m.privateHex, { der: true, hash: true, userId: m.userId, publicKey: m.publicHex });
    parentPort.postMessage({ id: m.id, der });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
});`;

/** Content above this is signed on the calling thread: a thread's memory is kept small, and a signature's input held there twice over. */
export const LARGEST_ON_THREAD = 256 * 1024;

/** One worker and the signatures it has been asked for. */
class SigningThread {
  readonly pending = new Map<number, { resolve: (der: string) => void; reject: (err: Error) => void }>();
  private readonly worker: Worker;
  failed: Error | undefined;
  /** Ended on purpose (idle): its exit is no failure. */
  private retired = false;

  constructor(onFailure: (err: Error) => void) {
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { smCrypto: require.resolve("sm-crypto-v2") },
      // A signature's garbage is small and short-lived: a small young generation keeps the thread's
      // memory near 25 MB instead of growing by ~50 MB under load (the embedded default's budget is
      // 500 MB). No cap on the old generation: a worker reaching one can abort the whole process
      // (nodejs/node#47224) instead of failing alone.
      resourceLimits: { maxYoungGenerationSizeMb: 2 },
    });
    // The thread keeps the process alive only while a signature waits for it.
    this.worker.unref();
    this.worker.on("message", (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.der !== undefined) p.resolve(m.der);
      else p.reject(new Error(`SM2 signing failed: ${m.error}`));
    });
    const fail = (err: Error) => {
      if (this.failed) return;
      this.failed = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      onFailure(err);
    };
    this.worker.on("error", (err) => fail(err));
    this.worker.on("exit", (code) => {
      if (!this.retired) fail(new Error(`the signing thread ended (exit code ${code})`));
    });
  }

  /** Ends the thread (nothing waits for it). */
  retire(): void {
    this.retired = true;
    // From a timer: nothing may throw out of it (an uncaught exception would stop the process).
    try {
      this.worker.terminate().catch(() => undefined);
    } catch {
      // Already gone.
    }
  }

  sign(id: number, r: Sm2SignRequest): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...r, id });
    });
  }
}

/** Threads for signatures: one fewer than the cores (the event loop keeps one), one at least, two at most. */
const THREADS = Math.max(1, Math.min(2, os.availableParallelism() - 1));

/**
 * Threads idle this long are ended (a quiet hub gives their ~25 MB back; every module instance of
 * a test run would otherwise keep its own); the next signature starts new ones (~50 ms).
 */
const IDLE_MS = 30_000;

let threads: SigningThread[] | undefined;
let idleTimer: NodeJS.Timeout | undefined;
/** After a thread failed, signatures are made here until then (ms since epoch); new threads are tried after it. */
let threadsOffUntil = 0;
/** How long signing stays on the calling thread after a thread failed. */
const RETRY_THREADS_AFTER_MS = 60_000;
let nextId = 1;
let madeOnThreads = 0;

/** Signatures made on signing threads since the process started (the rest were made on the caller's thread). */
export function signaturesMadeOnThreads(): number {
  return madeOnThreads;
}

function started(): SigningThread[] | undefined {
  if (Date.now() < threadsOffUntil) return undefined;
  try {
    threads ??= Array.from({ length: THREADS }, () => new SigningThread(onThreadFailure));
    return threads;
  } catch (err) {
    onThreadFailure(err as Error);
    return undefined;
  }
}

/** Ends the threads once none has had work for IDLE_MS. */
function retireWhenIdle(): void {
  if (!threads || threads.some((t) => t.pending.size > 0)) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (!threads || threads.some((t) => t.pending.size > 0)) return;
    for (const t of threads) t.retire();
    threads = undefined;
  }, IDLE_MS);
  idleTimer.unref();
}

function onThreadFailure(err: Error): void {
  if (Date.now() < threadsOffUntil) return;
  threadsOffUntil = Date.now() + RETRY_THREADS_AFTER_MS;
  // The pool is let go whole (the others may be sound): a new one is started after the pause.
  for (const t of threads ?? []) if (!t.failed) t.retire();
  threads = undefined;
  clearTimeout(idleTimer);
  rootLogger()
    .child({ mod: "signing" })
    .warn({ err }, `a signing thread failed: SM2 signatures are made on the event loop's thread for ${RETRY_THREADS_AFTER_MS / 1000} s, then on new threads`);
}

/**
 * The DER signature (hex) of `r`, made on a signing thread (the least busy). Made on the calling
 * thread instead when the content is larger than LARGEST_ON_THREAD, when the threads cannot run,
 * and for RETRY_THREADS_AFTER_MS after one failed; an error of the library (a malformed key) rejects.
 */
export async function sm2SignOffThread(r: Sm2SignRequest): Promise<string> {
  if (r.data.byteLength > LARGEST_ON_THREAD) return sm2SignHere(r);
  const pool = started();
  if (!pool) return sm2SignHere(r);
  clearTimeout(idleTimer);
  const thread = pool.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  try {
    const der = await thread.sign(nextId++, r);
    madeOnThreads++;
    return der;
  } catch (err) {
    // The thread died under this signature: sign here instead (a library error repeats here and throws).
    if (thread.failed) return sm2SignHere(r);
    throw err;
  } finally {
    retireWhenIdle();
  }
}
