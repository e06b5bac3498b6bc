import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fingerprint, snapshotFile } from "../../lib/engine/fingerprint.ts";
import { execFileSync } from "node:child_process";
import { digestDirectory, digestFile } from "../../lib/hash/digest.ts";
import { bytePath } from "../../lib/path/byte_path.ts";

const digest = async (p: string, kind: "file" | "listing") =>
  kind === "listing" ? await digestDirectory(p) : (await digestFile(p)).digest;

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "casher-fp-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

Deno.test(
  "a file older than the run is fingerprinted by content",
  withDir(async (dir) => {
    const f = join(dir, "a.txt");
    writeFileSync(f, "abc");
    const fp = await fingerprint(bytePath(f), { startedAt: Date.now() + 1000, digest });
    assert.equal(fp.kind, "ok");
    if (fp.kind === "ok") assert.equal(fp.digest, "06b05ab6733a618578af5f94892f3950");
  }),
);

Deno.test(
  "a file whose ctime is not older than the run's start is changed-during-run",
  withDir(async (dir) => {
    const f = join(dir, "a.txt");
    writeFileSync(f, "before");
    await new Promise((r) => setTimeout(r, 30));
    const startedAt = Date.now();
    writeFileSync(f, "rewritten after the run started");
    const fp = await fingerprint(bytePath(f), { startedAt, digest });
    assert.equal(fp.kind, "changed-during-run");
  }),
);

Deno.test(
  "the ctime rule has nanosecond precision in this runtime (a write 200 ms into a second is seen)",
  withDir(async (dir) => {
    // Under Deno, node:fs truncates ctime to whole seconds; a write made after the run
    // started but within the same second must still count as during the run.
    const f = join(dir, "a.txt");
    writeFileSync(f, "early");
    await new Promise((r) => setTimeout(r, 30));
    const startedAt = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(f, "late");
    const fp = await fingerprint(bytePath(f), { startedAt, digest });
    assert.equal(fp.kind, "changed-during-run");
  }),
);

Deno.test(
  "a file replaced by rename during hashing keeps the original content's digest",
  withDir(async (dir) => {
    const f = join(dir, "a.txt");
    writeFileSync(f, "abc");
    const replace = (p: string, kind: "file" | "listing") => {
      // Simulate `sed -i`: the path is swapped for a new file while the digest runs.
      writeFileSync(join(dir, "tmp"), "NEW CONTENT");
      renameSync(join(dir, "tmp"), f);
      return digest(p, kind);
    };
    const fp = await fingerprint(bytePath(f), { startedAt: Date.now() + 1000, digest: replace });
    assert.equal(fp.kind, "ok");
    if (fp.kind === "ok") assert.equal(fp.digest, "06b05ab6733a618578af5f94892f3950");
  }),
);

Deno.test(
  "a file modified in place during hashing is changed-during-run, never a guess",
  withDir(async (dir) => {
    const f = join(dir, "a.txt");
    writeFileSync(f, "abc");
    const rewrite = (p: string, kind: "file" | "listing") => {
      writeFileSync(f, "abd", { flag: "r+" });
      return digest(p, kind);
    };
    const fp = await fingerprint(bytePath(f), { startedAt: Date.now() + 1000, digest: rewrite });
    assert.equal(fp.kind, "changed-during-run");
  }),
);

Deno.test(
  "missing paths, directories and special files are told apart",
  withDir(async (dir) => {
    const later = Date.now() + 1000;
    assert.equal(
      (await fingerprint(bytePath(join(dir, "nope")), { startedAt: later, digest })).kind,
      "missing",
    );
    const d = await fingerprint(bytePath(dir), { startedAt: later, digest });
    assert.equal(d.kind, "ok");
    if (d.kind === "ok") assert.equal(d.stamp.isDir, true);
    assert.equal(
      (await fingerprint(bytePath("/dev/null"), { startedAt: later, digest })).kind,
      "unreadable",
    );
  }),
);

Deno.test(
  "a file born after the run started is created-during-run, not changed",
  withDir(async (dir) => {
    const startedAt = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    const f = join(dir, "new.txt");
    writeFileSync(f, "made by the run");
    const fp = await fingerprint(bytePath(f), { startedAt, digest });
    assert.equal(fp.kind, "created-during-run");
  }),
);

Deno.test(
  "a snapshot is taken of regular files only: a FIFO or device is never read",
  withDir((dir) => {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    assert.equal(snapshotFile(fifo, { maxBytes: 1 << 20 }), null); // reading would block
    assert.equal(snapshotFile("/dev/zero", { maxBytes: 1 << 20 }), null);
    const f = join(dir, "f");
    writeFileSync(f, "abc");
    assert.equal(snapshotFile(f, { maxBytes: 1 << 20 })?.bytes.length, 3);
    assert.equal(snapshotFile(f, { maxBytes: 2 }), null);
    return Promise.resolve();
  }),
);

Deno.test(
  "a snapshot never trusts the reported size: a file holding more than it says is not taken",
  withDir(() => {
    // procfs reports size 0 for files that hold plenty.
    assert.equal(snapshotFile("/proc/self/maps", { maxBytes: 1 << 20 }), null);
    return Promise.resolve();
  }),
);
