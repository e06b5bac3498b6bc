import assert from "node:assert/strict";
import { test } from "../function/_shim.ts";
import { createHash } from "node:crypto";
import { sha256, sha256Hex } from "../../lib/runtime/native_hash.ts";

test("sha256Hex matches the standard test vector and node:crypto", () => {
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
  assert.equal(sha256Hex(bytes), createHash("sha256").update(bytes).digest("hex"));
});

test("incremental updates equal one update; latin1 strings hash their byte values", () => {
  const a = sha256().update("casher-").update(new Uint8Array([0xff, 0])).digest();
  const b = sha256().update("casher-\xff\0", "latin1").digest();
  assert.deepEqual(a, b);
  assert.deepEqual(
    a,
    new Uint8Array(createHash("sha256").update("casher-\xff\0", "latin1").digest()),
  );
});
