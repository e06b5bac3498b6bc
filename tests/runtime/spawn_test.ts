import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { test } from "../function/_shim.ts";
import { spawnPiped } from "../../lib/runtime/spawn.ts";

const env = { PATH: "/usr/bin:/bin" };

async function collect(child: ReturnType<typeof spawnPiped>) {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  await Promise.all([
    child.stdout.forEach((c) => out.push(Uint8Array.from(c))),
    child.stderr.forEach((c) => err.push(Uint8Array.from(c))),
  ]);
  const text = (parts: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(parts));
  return { out: text(out), err: text(err), exit: await child.exited };
}

test("a child's stdout, stderr and exit code come back apart", async () => {
  const r = await collect(
    spawnPiped(["sh", "-c", "echo out; echo err >&2; exit 3"], { cwd: "/", env, stdin: "null" }),
  );
  assert.deepEqual(r, { out: "out\n", err: "err\n", exit: { code: 3, signal: null } });
});

test("a child killed by a signal reports the signal's name", async () => {
  const r = await collect(
    spawnPiped(["sh", "-c", "kill -TERM $$"], { cwd: "/", env, stdin: "null" }),
  );
  assert.deepEqual(r.exit, { code: null, signal: "SIGTERM" });
});

test("stdin can be a descriptor (read from its start) or /dev/null", async () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-spawn-"));
  try {
    writeFileSync(join(dir, "in"), "fed\n");
    const fd = openSync(join(dir, "in"), "r");
    try {
      const r = await collect(spawnPiped(["cat"], { cwd: dir, env, stdin: { fd } }));
      assert.equal(r.out, "fed\n");
    } finally {
      closeSync(fd);
    }
    assert.equal((await collect(spawnPiped(["cat"], { cwd: dir, env, stdin: "null" }))).out, "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a fed stdin reaches the child as a stream (not a seekable file), every byte of it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-spawn-"));
  try {
    // A pipe (Deno) or a socket pair (Bun's child stdio), like a piped stdin without casher;
    // more than either holds at once.
    const big = "line of input\n".repeat(20_000);
    writeFileSync(join(dir, "in"), big);
    const r = await collect(spawnPiped(["sh", "-c", "[ -f /dev/stdin ] || echo stream; wc -c"], {
      cwd: dir,
      env,
      stdin: { feed: join(dir, "in") },
    }));
    assert.equal(r.out.replace(/ +/g, ""), `stream\n${big.length}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a program that does not exist rejects `exited`", async () => {
  const child = spawnPiped(["/nonexistent/casher-test"], { cwd: "/", env, stdin: "null" });
  await assert.rejects(child.exited);
});

test("cancelling stdout closes casher's end: the writer stops on its next write", async () => {
  const child = spawnPiped(["yes"], { cwd: "/", env, stdin: "null" });
  let seen = 0;
  await child.stdout.forEach((c) => {
    seen += c.length;
    if (seen > 1 << 16) child.stdout.cancel();
  });
  void child.stderr.forEach(() => {});
  // A pipe (Deno) kills it with SIGPIPE; Bun's socket pair fails the write (ECONNRESET),
  // and casher sends the SIGPIPE itself (pipe_writers.ts). Either way it does not run on.
  const exit = await child.exited;
  assert.ok(exit.signal === "SIGPIPE" || (exit.code !== null && exit.code !== 0), `${exit}`);
});
