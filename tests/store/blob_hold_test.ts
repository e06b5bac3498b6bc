import assert from "node:assert/strict";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { CasherError, isCasherError } from "../../lib/errors/casher_error.ts";
import { draftWithBlob, keyOf, withStore } from "./_helpers.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
/** Descriptors of this process open on files under `dir` (other tests' fds do not count). */
const openUnder = (dir: string) =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false; // closed meanwhile
    }
  }).length;

Deno.test("a held blob stays readable and restorable after its file is deleted", async () => {
  await withStore(async (store, dir) => {
    const a = await store.blobs.putBytes(bytes("stream log"));
    const b = await store.blobs.putBytes(bytes("output file"));
    const hold = store.blobs.holdOpen([a.digest, b.digest, a.digest]);
    store.blobs.remove(a.digest);
    store.blobs.remove(b.digest);
    assert.equal(store.blobs.has(a.digest), false);
    assert.deepEqual(await store.blobs.readBytes(a.digest), bytes("stream log"));
    // One descriptor serves several reads.
    await store.blobs.restoreTo(b.digest, join(dir, "out1"), { mode: 0o644 });
    await store.blobs.restoreTo(b.digest, join(dir, "out2"), { mode: 0o644 });
    assert.equal(readFileSync(join(dir, "out2"), "utf8"), "output file");
    hold.release();
    hold.release(); // idempotent
    await assert.rejects(store.blobs.readBytes(b.digest), (e) => isCasherError(e, "blob-missing"));
  });
});

Deno.test("holding a missing blob throws blob-missing and leaves nothing open", async () => {
  await withStore(async (store) => {
    const a = await store.blobs.putBytes(bytes("present"));
    const openFds = () => openUnder(store.layout.blobsDir);
    const before = openFds();
    assert.throws(
      () => store.blobs.holdOpen([a.digest, "0".repeat(32)]),
      (e: unknown) => isCasherError(e, "blob-missing"),
    );
    assert.equal(openFds(), before);
    // Shared holds: the descriptor closes with the last release.
    const h1 = store.blobs.holdOpen([a.digest]);
    const h2 = store.blobs.holdOpen([a.digest]);
    assert.equal(openFds(), before + 1);
    h1.release();
    assert.equal(openFds(), before + 1);
    h2.release();
    assert.equal(openFds(), before);
  });
});

Deno.test("holdBlobs tells a removed entry (gone) from a damaged one (blob-missing)", async () => {
  await withStore(async (store) => {
    const draft = await draftWithBlob(store, keyOf(1), { text: "out" });
    store.putEntry(draft);
    const entry = store.candidates(keyOf(1))[0];
    store.blobs.remove(draft.streamBlob!); // damaged: the row is there, its blob is not
    assert.throws(() => store.holdBlobs(entry), (e: unknown) => isCasherError(e, "blob-missing"));
    // A row with the entry's id but stored at another time is a later entry given the id
    // again: the one being replayed is gone, and the new one is not called damaged.
    assert.deepEqual(store.holdBlobs({ ...entry, createdAt: entry.createdAt - 1 }), {
      kind: "gone",
    });
    store.removeEntries({ key: keyOf(1) });
    assert.deepEqual(store.holdBlobs(entry), { kind: "gone" });
  });
});

Deno.test("out of descriptors, holdBlobs asks for a lease instead of failing the hit", async () => {
  await withStore(async (store) => {
    store.putEntry(await draftWithBlob(store, keyOf(2), { text: "out" }));
    const entry = store.candidates(keyOf(2))[0];
    const emfile = Object.assign(new Error("EMFILE: too many open files"), { code: "EMFILE" });
    store.blobs.holdOpen = () => {
      throw new CasherError("cache-unavailable", "Cannot open blob", { cause: emfile });
    };
    assert.deepEqual(store.holdBlobs(entry), { kind: "too-many" });
    const pin = store.pin(entry.id);
    assert.equal(pin.kind, "pinned");
    if (pin.kind === "pinned") pin.release();
  });
});

Deno.test("a blob already verified in memory is held as bytes: no descriptor, still restorable", async () => {
  await withStore(async (store, dir) => {
    const a = await store.blobs.putBytes(bytes("small value"));
    await store.blobs.readBytes(a.digest); // now verified and kept in memory
    const openFds = () => openUnder(store.layout.blobsDir);
    const before = openFds();
    const hold = store.blobs.holdOpen([a.digest]);
    assert.equal(openFds(), before, "no descriptor for a blob held in memory");
    store.blobs.remove(a.digest);
    assert.deepEqual(await store.blobs.readBytes(a.digest), bytes("small value"));
    await store.blobs.restoreTo(a.digest, join(dir, "out"), { mode: 0o600 });
    assert.equal(readFileSync(join(dir, "out"), "utf8"), "small value");
    hold.release();
  });
});
