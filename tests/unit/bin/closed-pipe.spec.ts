/**
 * A command whose output is piped into a reader that stops early ends quietly with its own exit
 * code (bin/closed-pipe.ts, as built in dist), where Node would die of the unhandled EPIPE with a stack trace.
 */
import { spawn } from "node:child_process";
import { projectPath } from "../../../services/common/paths";

/** Runs a program that writes lines for ever; closes its stdout after the first chunk. */
function cutShort(program: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", program], { cwd: projectPath(), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

const WRITER = `setInterval(() => process.stdout.write("line\\n".repeat(1000)), 1);`;

describe("a command's output closed early", () => {
  it("ends quietly with exit code 0", async () => {
    const { code, stderr } = await cutShort(`require("./dist/bin/closed-pipe.js").endQuietlyWhenOutputCloses(); ${WRITER}`);
    expect([code, stderr]).toEqual([0, ""]);
  }, 30_000);

  it("keeps the exit code the command had set", async () => {
    const { code, stderr } = await cutShort(`require("./dist/bin/closed-pipe.js").endQuietlyWhenOutputCloses(); process.exitCode = 3; ${WRITER}`);
    expect([code, stderr]).toEqual([3, ""]);
  }, 30_000);

  it("without it, Node dies of the EPIPE", async () => {
    const { code, stderr } = await cutShort(WRITER);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/EPIPE/);
  }, 30_000);
});
