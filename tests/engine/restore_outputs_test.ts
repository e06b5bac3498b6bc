import assert from "node:assert/strict";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CasherError } from "../../lib/errors/casher_error.ts";
import { restoreOutputs, type RestoreSource } from "../../lib/engine/restore_outputs.ts";
import { fsPath } from "../../lib/path/byte_path.ts";
import type { RecordedOutput } from "../../lib/store/types.ts";

/** A store stand-in: blobs by digest; `bad` fails its check like a corrupt blob. */
function source(blobs: Record<string, string>): RestoreSource {
  const bytes = (d: string): Uint8Array => {
    if (!(d in blobs)) throw new CasherError("blob-corrupt", `blob ${d} failed its check`);
    return new TextEncoder().encode(blobs[d]);
  };
  return {
    restoreTo: (d, dest, { mode }) => {
      writeFileSync(fsPath(dest), bytes(d), { mode });
      return Promise.resolve();
    },
    readBytes: (d) => Promise.resolve(bytes(d)),
    digestFile: () => Promise.resolve(""),
    trustedFingerprint: () => null,
    memoDigest: () => null,
    rememberDigest: () => {},
  };
}

function file(path: string, blob: string, mode = 0o644): RecordedOutput {
  return { kind: "file", path, blob, mode, size: blob.length };
}

/** Every name under `dir`, recursively, sorted. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "casher-restore-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

Deno.test(
  "a blob that fails its check while staging leaves the tree exactly as it was",
  withDir(async (dir) => {
    writeFileSync(join(dir, "a"), "old");
    writeFileSync(join(dir, "keep"), "x");
    const before = tree(dir);
    const outputs: RecordedOutput[] = [
      { kind: "dir", path: join(dir, "new"), mode: 0o755 },
      file(join(dir, "a"), "new-a"),
      { kind: "symlink", path: join(dir, "l"), target: "a" },
      file(join(dir, "new/b"), "bad"),
    ];
    await assert.rejects(
      restoreOutputs(source({ "new-a": "fresh" }), {
        outputs,
        deletions: [join(dir, "keep")],
        policy: "always",
        inputs: [],
      }),
      (e: unknown) => e instanceof CasherError && e.code === "blob-corrupt",
    );
    assert.equal(readFileSync(join(dir, "a"), "utf8"), "old", "a staged output is not placed");
    assert.deepEqual(tree(dir), before, "no directory made, no link, no temp left, no deletion");
  }),
);

Deno.test(
  "staged outputs land in new nested directories, over directories and over files",
  withDir(async (dir) => {
    mkdirSync(join(dir, "was-dir"));
    mkdirSync(join(dir, "was-dir-link"));
    writeFileSync(join(dir, "was-file"), "f");
    const outputs: RecordedOutput[] = [
      { kind: "dir", path: join(dir, "was-file"), mode: 0o750 },
      { kind: "dir", path: join(dir, "ro"), mode: 0o500 },
      file(join(dir, "ro/inside"), "i", 0o600),
      file(join(dir, "x/y/z"), "z", 0o755),
      file(join(dir, "was-dir"), "d"),
      file(join(dir, "was-file/in"), "n"),
      { kind: "symlink", path: join(dir, "was-dir-link"), target: "x/y/z" },
    ];
    const blobs = { i: "inside", z: "zed", d: "dir-now-file", n: "in" };
    // The run saw (and removed) what was at the replaced paths: they have inputs.
    const seen = ["was-file", "was-dir", "was-dir-link"].map((n) => join(dir, n));
    const written = await restoreOutputs(source(blobs), {
      outputs,
      deletions: [],
      policy: "always",
      inputs: seen,
    });
    assert.equal(written, 7);
    assert.equal(readFileSync(join(dir, "ro/inside"), "utf8"), "inside");
    assert.equal(statSync(join(dir, "ro")).mode & 0o7777, 0o500, "closed once its file is back");
    assert.equal(statSync(join(dir, "ro/inside")).mode & 0o7777, 0o600);
    assert.equal(readFileSync(join(dir, "x/y/z"), "utf8"), "zed");
    assert.equal(statSync(join(dir, "x/y/z")).mode & 0o7777, 0o755);
    assert.equal(readFileSync(join(dir, "was-dir"), "utf8"), "dir-now-file");
    assert.equal(statSync(join(dir, "was-file")).mode & 0o7777, 0o750);
    assert.equal(readFileSync(join(dir, "was-file/in"), "utf8"), "in");
    assert.equal(readlinkSync(join(dir, "was-dir-link")), "x/y/z");
    chmodSync(join(dir, "ro"), 0o700);
    assert.equal(tree(dir).filter((n) => n.includes(".casher-tmp")).length, 0, "no temp left");
  }),
);

Deno.test(
  "a closed directory already there is opened for its file and closed again",
  withDir(async (dir) => {
    mkdirSync(join(dir, "ro"));
    chmodSync(join(dir, "ro"), 0o500);
    const outputs: RecordedOutput[] = [
      { kind: "dir", path: join(dir, "ro"), mode: 0o500 },
      file(join(dir, "ro/f"), "f"),
    ];
    await restoreOutputs(source({ f: "back" }), {
      outputs,
      deletions: [],
      policy: "always",
      inputs: [],
    });
    assert.equal(readFileSync(join(dir, "ro/f"), "utf8"), "back");
    assert.equal(statSync(join(dir, "ro")).mode & 0o7777, 0o500);
    chmodSync(join(dir, "ro"), 0o700);
  }),
);

Deno.test(
  "outputs that already match are left alone; a wrong mode alone is fixed in place",
  withDir(async (dir) => {
    writeFileSync(join(dir, "same"), "s", { mode: 0o600 });
    const ino = lstatSync(join(dir, "same")).ino;
    const written = await restoreOutputs(source({ s: "s" }), {
      outputs: [file(join(dir, "same"), "s", 0o640)],
      deletions: [],
      policy: "always",
      inputs: [],
    });
    assert.equal(written, 0);
    assert.equal(lstatSync(join(dir, "same")).ino, ino, "not rewritten");
    assert.equal(statSync(join(dir, "same")).mode & 0o7777, 0o640);
  }),
);

Deno.test(
  "a symlink or directory now at a file output's path is a conflict; nothing is touched",
  withDir(async (dir) => {
    writeFileSync(join(dir, "target"), "old");
    symlinkSync("target", join(dir, "out"));
    mkdirSync(join(dir, "d"));
    const conflict = (e: unknown) => e instanceof CasherError && e.code === "output-conflict";
    await assert.rejects(
      restoreOutputs(source({ n: "new" }), {
        outputs: [file(join(dir, "out"), "n")],
        deletions: [],
        policy: "always",
        inputs: [],
      }),
      conflict,
    );
    assert.equal(readlinkSync(join(dir, "out")), "target", "the link stays");
    assert.equal(readFileSync(join(dir, "target"), "utf8"), "old");
    await assert.rejects(
      restoreOutputs(source({ n: "new" }), {
        outputs: [file(join(dir, "d"), "n")],
        deletions: [],
        policy: "always",
        inputs: [],
      }),
      conflict,
    );
    assert.ok(statSync(join(dir, "d")).isDirectory());
    // A run that saw the directory and removed it first (`rmdir d; echo > d`: an input of
    // `d`) replays over it.
    await restoreOutputs(source({ n: "new" }), {
      outputs: [file(join(dir, "d"), "n")],
      deletions: [],
      policy: "always",
      inputs: [join(dir, "d")],
    });
    assert.equal(readFileSync(join(dir, "d"), "utf8"), "new");
  }),
);

Deno.test(
  "parents of a restored directory that the entry does not record get the umask's mode",
  withDir(async (dir) => {
    // A library entry records only the path given to mkdir (`mkdirSync("a/b/c", { recursive })`).
    const mask = Deno.umask();
    await restoreOutputs(source({}), {
      outputs: [{ kind: "dir", path: join(dir, "a/b/c"), mode: 0o750 }],
      deletions: [],
      policy: "always",
      inputs: [],
    });
    assert.equal(statSync(join(dir, "a")).mode & 0o7777, 0o777 & ~mask, "as mkdir -p makes it");
    assert.equal(statSync(join(dir, "a/b")).mode & 0o7777, 0o777 & ~mask);
    assert.equal(statSync(join(dir, "a/b/c")).mode & 0o7777, 0o750);
  }),
);
