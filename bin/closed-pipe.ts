/**
 * A command's output piped into a reader that stops early (`| head`, `| grep -m1`): the next write
 * fails with EPIPE, which Node raises as an unhandled 'error' on stdout and dies of with a stack
 * trace. The reader has what it wanted, so the command ends quietly instead, with the exit code it
 * had set (a verification that failed still says so).
 */
export function endQuietlyWhenOutputCloses(): void {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  });
}
