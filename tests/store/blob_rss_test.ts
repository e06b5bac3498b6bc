/**
 * Storing and restoring a large sparse/mixed file keeps peak RSS bounded. Runs in a child
 * process (Deno, and Bun when installed) that reports its VmHWM. 1 GiB here to keep the
 * test short; set CASHER_RSS_TEST_GIB=4 to run the full-size case by hand.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const GiB = 1 << 30;
const MiB = 1 << 20;
const LIMIT = 256 * MiB;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Sparse file of `size` bytes with random and textual islands every 64 MiB. */
function makeMixedFile(path: string, size: number): void {
  const fd = openSync(path, "w");
  try {
    ftruncateSync(fd, size);
    const line = Buffer.from("log line with a counter 000123 and some words\n".repeat(23_000));
    for (let at = 0; at < size; at += 64 * MiB) {
      writeSync(fd, randomBytes(MiB), 0, MiB, at);
      writeSync(fd, line, 0, line.length, at + 8 * MiB);
    }
  } finally {
    closeSync(fd);
  }
}

const CHILD = `
import { BlobStore } from ${JSON.stringify(join(ROOT, "lib/store/blob_store.ts"))};
import { ensureLayout } from ${JSON.stringify(join(ROOT, "lib/store/layout.ts"))};
import { digestFile } from ${JSON.stringify(join(ROOT, "lib/hash/digest.ts"))};
import { readFileSync } from "node:fs";
const [dir] = process.argv.slice(-1);
const store = new BlobStore(ensureLayout(dir + "/cache"));
const info = await store.putFile(dir + "/big");
await store.restoreTo(info.digest, dir + "/restored", { mode: 0o600 });
const back = await digestFile(dir + "/restored");
const hwm = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))[1];
console.log(JSON.stringify({ ...info, restored: back.digest, restoredSize: back.size, hwm: Number(hwm) * 1024 }));
`;

function hasBun(): boolean {
  try {
    execFileSync("bun", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

Deno.test("storing and restoring a large sparse/mixed file keeps peak RSS under 256 MiB", () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-rss-"));
  try {
    const size = Number(Deno.env.get("CASHER_RSS_TEST_GIB") ?? "1") * GiB;
    makeMixedFile(join(dir, "big"), size);
    writeFileSync(join(dir, "child.ts"), CHILD);
    const runs: [string, string[]][] = [[Deno.execPath(), [
      "run",
      "-A",
      "--config",
      join(ROOT, "deno.json"),
      join(dir, "child.ts"),
      dir,
    ]]];
    if (hasBun()) runs.push(["bun", ["run", join(dir, "child.ts"), dir]]);
    for (const [cmd, args] of runs) {
      rmSync(join(dir, "cache"), { recursive: true, force: true });
      rmSync(join(dir, "restored"), { force: true });
      const out = JSON.parse(execFileSync(cmd, args, { cwd: ROOT, encoding: "utf8" }));
      console.log(
        `${cmd}: peak RSS ${(out.hwm / MiB).toFixed(0)} MiB for ${size / GiB} GiB, stored ${
          (out.storedSize / MiB).toFixed(0)
        } MiB`,
      );
      assert.equal(out.size, size);
      assert.equal(out.restored, out.digest);
      assert.equal(out.restoredSize, size);
      assert.ok(out.hwm < LIMIT, `${cmd}: peak RSS ${out.hwm} >= ${LIMIT}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
