import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { isCasherError } from "../../lib/errors/casher_error.ts";
import { join } from "node:path";
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { acquireKeyLock, holderId } from "../../lib/store/key_lock.ts";
import { keyOf, withTempDir } from "./_helpers.ts";

Deno.test("of two waiters on one key, one computes and the other waits for it", async () => {
  await withTempDir(async (dir) => {
    const key = keyOf(1);
    const log: string[] = [];
    const worker = async (name: string) => {
      const lock = await acquireKeyLock(dir, key, { timeoutMs: 5000 });
      assert.equal(lock.kind, "acquired");
      log.push(`${name} start`);
      await sleep(150);
      log.push(`${name} end`);
      if (lock.kind === "acquired") lock.release();
    };
    await Promise.all([worker("a"), worker("b")]);
    assert.deepEqual(log.map((l) => l.split(" ")[1]), ["start", "end", "start", "end"]);
    assert.equal(log[0].split(" ")[0], log[1].split(" ")[0]);
    assert.equal(existsSync(join(dir, `${key}.lock`)), false);
  });
});

Deno.test("a waiter gets timeout while a live holder keeps the lock", async () => {
  await withTempDir(async (dir) => {
    const held = await acquireKeyLock(dir, keyOf(2), { timeoutMs: 0 });
    assert.equal(held.kind, "acquired");
    const t0 = Date.now();
    const second = await acquireKeyLock(dir, keyOf(2), { timeoutMs: 200 });
    assert.equal(second.kind, "timeout");
    assert.ok(Date.now() - t0 >= 190);
    if (held.kind === "acquired") held.release();
    assert.equal((await acquireKeyLock(dir, keyOf(2), { timeoutMs: 0 })).kind, "acquired");
  });
});

Deno.test("a holder killed with SIGKILL is taken over in under a second", async () => {
  await withTempDir(async (dir) => {
    const key = keyOf(3);
    const script = `import { acquireKeyLock } from ${
      JSON.stringify(
        new URL("../../lib/store/key_lock.ts", import.meta.url).href,
      )
    };
const l = await acquireKeyLock(${JSON.stringify(dir)}, "${key}", { timeoutMs: 5000 });
console.log(l.kind);
setInterval(() => {}, 1000);`;
    const child = spawn(Deno.execPath(), ["eval", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", (d) => String(d).includes("acquired") ? resolve() : reject(d));
        child.on("exit", () => reject(new Error("child exited")));
      });
      const content = readFileSync(join(dir, `${key}.lock`), "latin1");
      assert.equal(content, holderId(child.pid!));
      const waiting = acquireKeyLock(dir, key, { timeoutMs: 5000 });
      await sleep(100);
      const killedAt = Date.now();
      child.kill("SIGKILL");
      const lock = await waiting;
      const took = Date.now() - killedAt;
      assert.equal(lock.kind, "acquired");
      assert.ok(took < 1000, `takeover took ${took} ms`);
      assert.equal(readFileSync(join(dir, `${key}.lock`), "latin1"), holderId(process.pid));
      if (lock.kind === "acquired") lock.release();
    } finally {
      child.kill("SIGKILL");
    }
  });
});

Deno.test("holderId is null for a pid that does not exist", () => {
  assert.equal(holderId(999_999_999), null);
  assert.match(holderId(process.pid)!, new RegExp(`^${process.pid} \\d+$`));
});

Deno.test("a key that is not a plain token is rejected", async () => {
  await assert.rejects(() => acquireKeyLock("/tmp", "../etc/passwd", { timeoutMs: 0 }), TypeError);
});

Deno.test("a lock file with garbage content is treated as stale and taken over", async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, `${keyOf(4)}.lock`), "");
    const lock = await acquireKeyLock(dir, keyOf(4), { timeoutMs: 0 });
    assert.equal(lock.kind, "acquired");
  });
});

Deno.test("a missing locks directory raises cache-unavailable", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      () => acquireKeyLock(join(dir, "gone"), keyOf(5), { timeoutMs: 0 }),
      (e: unknown) => isCasherError(e, "cache-unavailable"),
    );
  });
});
