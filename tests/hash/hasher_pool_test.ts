import assert from "node:assert/strict";
import { createXXHash128 } from "hash-wasm";
import { HasherPool } from "../../lib/hash/hasher_pool.ts";

Deno.test("a released hasher is reused and re-initialized for the next digest", async () => {
  let created = 0;
  const pool = new HasherPool(() => (created++, createXXHash128()));
  const a = await pool.acquire();
  a.update("partial state that must not leak");
  pool.release(a);
  const b = await pool.acquire();
  assert.equal(b, a);
  b.update("abc");
  assert.equal(b.digest("hex"), "06b05ab6733a618578af5f94892f3950");
  assert.equal(created, 1);
});

Deno.test("concurrent acquires get distinct hashers", async () => {
  const pool = new HasherPool(() => createXXHash128());
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  assert.notEqual(a, b);
  pool.release(a);
  pool.release(b);
  assert.equal(pool.idle, 2);
});

Deno.test("reset drops idle hashers and ignores hashers released from before the reset", async () => {
  let created = 0;
  const pool = new HasherPool(() => (created++, createXXHash128()));
  const old = await pool.acquire();
  pool.release(await pool.acquire());
  pool.reset();
  assert.equal(pool.idle, 0);
  pool.release(old);
  assert.equal(pool.idle, 0);
  await pool.acquire();
  assert.equal(created, 3);
});

Deno.test("tryAcquire returns null when no hasher is idle", async () => {
  const pool = new HasherPool(() => createXXHash128());
  assert.equal(pool.tryAcquire(), null);
  pool.release(await pool.acquire());
  assert.notEqual(pool.tryAcquire(), null);
});
