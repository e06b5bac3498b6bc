import assert from "node:assert/strict";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTraceFifo } from "../../lib/trace/fifo.ts";

Deno.test("the trace FIFO is private and removed with its directory", () => {
  const fifo = createTraceFifo();
  assert.ok(statSync(fifo.path).isFIFO());
  assert.equal(statSync(fifo.dir).mode & 0o777, 0o700);
  fifo.remove();
  assert.equal(existsSync(fifo.dir), false);
});

Deno.test("the trace FIFO's directory is removed even when something else appeared in it", () => {
  const fifo = createTraceFifo();
  writeFileSync(join(fifo.dir, "stray"), "x");
  fifo.remove();
  assert.equal(existsSync(fifo.dir), false);
});

Deno.test("removing the trace FIFO twice does not throw", () => {
  const fifo = createTraceFifo();
  fifo.remove();
  fifo.remove();
  assert.equal(existsSync(fifo.dir), false);
});
