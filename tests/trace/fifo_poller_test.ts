import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { FifoPoller } from "../../lib/trace/fifo_poller.ts";

function withFifo(fn: (fifo: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "casher-poll-"));
    const fifo = join(dir, "trace");
    execFileSync("mkfifo", [fifo]);
    try {
      await fn(fifo);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

Deno.test(
  "every byte a writer sends is read, in order, and the end comes after the writer exits",
  withFifo(async (fifo) => {
    const chunks: Uint8Array[] = [];
    const poller = new FifoPoller(fifo, {
      onData: (b) => chunks.push(Uint8Array.from(b)), /* b is reused after the call */
    });
    // More than a pipe holds (64 KiB), written in bursts with pauses between them.
    const writer = spawn("sh", [
      "-c",
      `exec > "$0"; sleep 0.05; seq 1 30000; sleep 0.05; seq 30001 40000`,
      fifo,
    ]);
    writer.once("exit", () => poller.writerGone());
    await poller.done;
    const text = new TextDecoder().decode(Buffer.concat(chunks));
    const expected = Array.from({ length: 40000 }, (_, i) => String(i + 1)).join("\n") + "\n";
    assert.equal(text, expected);
  }),
);

Deno.test(
  "a writer that never opens the FIFO ends the read when it is gone",
  withFifo(async (fifo) => {
    let got = 0;
    const poller = new FifoPoller(fifo, { onData: (b) => (got += b.length) });
    poller.writerGone();
    await poller.done;
    assert.equal(got, 0);
  }),
);
