/**
 * Runs whose file accesses the trace cannot see are run every time, never replayed stale:
 * end to end, against the compiled binary and `deno run cli.ts`.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { e2e, settle } from "./_harness.ts";

function hasNode(): boolean {
  try {
    execFileSync("node", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// libuv (Node's I/O library) reads files through io_uring when UV_USE_IO_URING=1: those
// reads never reach strace. A stored run would replay "one" after data.txt changed.
e2e(
  "a run that reads through io_uring is not stored, so a changed file is read again",
  async (t) => {
    assert.ok(hasNode(), "node must be on PATH (the machine's base install has it)");
    const read = "require('fs').readFile('data.txt', 'utf8', (e, d) => process.stdout.write(d))";
    const cmd = ["-v", "--", "node", "-e", read];
    const env = { UV_USE_IO_URING: "1" };
    t.write("data.txt", "one\n");
    await settle();
    const first = await t.run(cmd, { env });
    assert.equal(first.code, 0, first.err);
    assert.equal(first.out, "one\n");
    assert.match(first.err, /not stored.*io_uring_setup/);
    t.write("data.txt", "two\n");
    await settle();
    const second = await t.run(cmd, { env });
    assert.equal(second.out, "two\n");
    assert.doesNotMatch(second.err, /: hit in /);
  },
);
