/**
 * Invalidation edge cases end to end: each run whose inputs are easy to get wrong (a
 * path that changes type, a link re-pointed, a file the run itself creates) misses when
 * they change and hits when they do not.
 * Each test runs against the compiled binary and against `deno run cli.ts`.
 */
import assert from "node:assert/strict";
import { casherWords, counted, e2e, runs, settle, spawn } from "./_harness.ts";

e2e("an input changed while the command runs is not stored", async (t) => {
  t.write("in.txt", "before\n");
  await settle();
  // The command signals (outside the output root) once it has read in.txt, then waits.
  const cmd = ["-v", ...counted("cat in.txt; touch ../ready; sleep 0.5")];
  const running = t.run(cmd);
  const ready = `${t.dir}/../ready`;
  for (let i = 0; i < 400; i++) {
    try {
      Deno.statSync(ready);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  t.write("in.txt", "during\n");
  const first = await running;
  assert.equal(first.out, "before\n");
  assert.match(first.err, /not stored.*in\.txt changed while the command ran/);
  await settle();
  const second = await t.run(cmd);
  assert.equal(second.out, "during\n", "the next run must not replay the stale output");
  assert.equal(runs(t), 2);
});

e2e(
  "a file written without truncation is absent-before on its first run, an input after",
  async (t) => {
    const cmd = counted("mkdir -p out; printf data 1<> out/f");
    await t.run(cmd); // creates out/f: recorded as absent before the run, and as an output
    assert.equal(t.read("out/f"), "data");
    await t.run(cmd); // out/f exists now: a miss, fingerprinted before the run
    await t.run(cmd); // hit
    assert.equal(runs(t), 2);
    t.write("out/f", "hello world");
    await settle();
    await t.run(cmd); // a real run writes over the start without truncating
    assert.equal(t.read("out/f"), "datao world", "never replay the old whole-file output");
    assert.equal(runs(t), 3);
  },
);

e2e(
  "probe absent, then create: a file the user adds later is a miss, never clobbered",
  async (t) => {
    const cmd = counted("[ -f out ] || echo gen > out; cat out");
    assert.equal((await t.run(cmd)).out, "gen\n");
    t.write("out", "user\n");
    await settle();
    const second = await t.run(cmd);
    assert.equal(second.out, "user\n", "the run must see the user's file");
    assert.equal(t.read("out"), "user\n", "the user's file must not be overwritten");
    assert.equal(runs(t), 2);
    assert.equal((await t.run(cmd)).out, "user\n");
    assert.equal(runs(t), 2, "the second run's entry hits");
  },
);

e2e(
  "a command that creates its own output dir misses on runs 1 and 2 and hits on run 3",
  async (t) => {
    // Run 1 finds `out` absent and creates it; run 2 finds it present (another state of the
    // world, so a miss) and records that; run 3 matches run 2's entry.
    const cmd = counted("[ -d out ] || mkdir out; echo made > out/f; cat out/f");
    for (const expectedRuns of [1, 2, 2]) {
      const r = await t.run(cmd);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, "made\n");
      assert.equal(t.read("out/f"), "made\n");
      assert.equal(runs(t), expectedRuns);
    }
  },
);

e2e("find -type f misses when a file is replaced by a directory of the same name", async (t) => {
  t.write("T2/x", "");
  t.write("T2/y", "");
  await settle();
  const cmd = counted("find T2 -type f | sort");
  assert.equal((await t.run(cmd)).out, "T2/x\nT2/y\n");
  assert.equal((await t.run(cmd)).out, "T2/x\nT2/y\n");
  assert.equal(runs(t), 1);
  Deno.removeSync(t.path("T2/x"));
  Deno.mkdirSync(t.path("T2/x"));
  await settle();
  assert.equal((await t.run(cmd)).out, "T2/y\n", "the listing holds entry types, not just names");
  assert.equal(runs(t), 2);
});

e2e(
  "an input read through a symlink the run re-points is never recorded with the new target's content",
  async (t) => {
    t.write("A/x", "AAA\n");
    t.write("B/x", "BBB\n");
    Deno.symlinkSync("A", t.path("L"));
    await settle();
    const script = "import os\nprint(open('L/x').read(), end='')\n" +
      "os.symlink('B', 'L.tmp')\nos.replace('L.tmp', 'L')\n";
    const cmd = ["--", "python3", "-c", script];
    assert.equal((await t.run(cmd)).out, "AAA\n");
    assert.equal(Deno.readLinkSync(t.path("L")), "B");
    await settle();
    assert.equal((await t.run(cmd)).out, "BBB\n", "L/x now reads B/x: a hit would replay AAA");
    assert.equal((await t.run(cmd)).out, "BBB\n");
  },
);

e2e("test -d and test -x miss when the directory goes away or the mode changes", async (t) => {
  Deno.mkdirSync(t.path("d"));
  t.write("x", "#!/bin/sh\n");
  Deno.chmodSync(t.path("x"), 0o755);
  await settle();
  const cmd = counted("test -d d && echo dir; test -x x && echo exe; true");
  assert.equal((await t.run(cmd)).out, "dir\nexe\n");
  assert.equal((await t.run(cmd)).out, "dir\nexe\n");
  assert.equal(runs(t), 1);
  Deno.chmodSync(t.path("x"), 0o644);
  await settle();
  assert.match((await t.run(["why", ...cmd])).out, /type or permissions of .*x changed/);
  assert.equal((await t.run(cmd)).out, "dir\n", "chmod -x must miss");
  assert.equal(runs(t), 2);
  Deno.removeSync(t.path("d"));
  await settle();
  assert.equal((await t.run(cmd)).out, "", "a removed directory must miss");
  assert.equal(runs(t), 3);
  const why = await t.run(["why", ...cmd]);
  assert.match(why.out, /would hit/);
});

e2e("readlink misses when the link is re-pointed", async (t) => {
  Deno.symlinkSync("ta", t.path("L"));
  await settle();
  const cmd = counted("readlink L");
  assert.equal((await t.run(cmd)).out, "ta\n");
  assert.equal((await t.run(cmd)).out, "ta\n");
  assert.equal(runs(t), 1);
  Deno.removeSync(t.path("L"));
  Deno.symlinkSync("tb", t.path("L"));
  await settle();
  const why = await t.run(["why", ...cmd]);
  assert.match(why.out, /symlink .*L now points elsewhere/);
  assert.equal((await t.run(cmd)).out, "tb\n");
  assert.equal(runs(t), 2);
});

e2e("cat dd/../f misses when the directory dd is replaced by a symlink", async (t) => {
  t.write("f", "top\n");
  Deno.mkdirSync(t.path("dd"));
  t.write("other/f", "other\n");
  Deno.mkdirSync(t.path("other/sub"));
  await settle();
  const cmd = counted("cat dd/../f");
  assert.equal((await t.run(cmd)).out, "top\n");
  assert.equal((await t.run(cmd)).out, "top\n");
  assert.equal(runs(t), 1);
  Deno.removeSync(t.path("dd"));
  Deno.symlinkSync("other/sub", t.path("dd"));
  await settle();
  assert.equal((await t.run(cmd)).out, "other\n", "dd/.. now names other/");
  assert.equal(runs(t), 2);
});

e2e(
  "cat x/y misses when x becomes a file: ENOTDIR is not the same absence as ENOENT",
  async (t) => {
    const script = 'if out=$(cat x/y 2>&1); then echo "got $out"; else case "$out" in ' +
      '*"No such"*) echo default;; *) echo "broken: $out" >&2; exit 3;; esac; fi';
    const cmd = ["--cache-failures", ...counted(script)];
    assert.equal((await t.run(cmd)).out, "default\n");
    assert.equal((await t.run(cmd)).out, "default\n");
    assert.equal(runs(t), 1);
    t.write("x", "data\n");
    await settle();
    const miss = await t.run(cmd);
    assert.equal(miss.code, 3, "x/y now fails with ENOTDIR: must miss");
    assert.match(miss.err, /broken: .*Not a directory/);
    assert.equal(runs(t), 2);
    assert.equal((await t.run(cmd)).code, 3, "the ENOTDIR run hits while x stays a file");
    assert.equal(runs(t), 2);
    Deno.removeSync(t.path("x"));
    await settle();
    assert.equal((await t.run(cmd)).out, "default\n", "the first candidate matches again");
    assert.equal(runs(t), 2);
  },
);

e2e(
  "mv onto an existing file hits again: its O_DIRECTORY probe is not an absent input",
  async (t) => {
    const cmd = counted("cp a out/b && mv out/b out/log");
    t.write("a", "A\n");
    t.write("out/log", "B\n"); // as long as what replaces it: see the next test
    await settle();
    assert.equal((await t.run(cmd)).code, 0);
    assert.equal(t.read("out/log"), "A\n");
    assert.equal((await t.run(cmd)).code, 0);
    assert.equal(runs(t), 1, "log still a file: hit");
  },
);

// mv lstats its target before replacing it, and a stat shows the size (`test -s f`,
// `ls -l f` print it): the size the first run saw is an input, so the run after it, which
// sees the new size, runs again once; from then on it hits.
e2e(
  "mv onto an existing file of another size runs once more, then hits",
  async (t) => {
    const cmd = counted("cp a out/b && mv out/b out/log");
    t.write("a", "A\n");
    t.write("out/log", "old\n");
    await settle();
    assert.equal((await t.run(cmd)).code, 0);
    assert.equal(t.read("out/log"), "A\n");
    await settle();
    assert.equal((await t.run(cmd)).code, 0);
    assert.equal(runs(t), 2, "the size mv saw changed from 4 to 2 bytes: a miss");
    assert.equal((await t.run(cmd)).code, 0);
    assert.equal(runs(t), 2, "then a hit");
  },
);

e2e(
  "cd l && pwd -P misses when the directory l becomes a symlink, or the symlink is re-pointed",
  async (t) => {
    Deno.mkdirSync(t.path("realdir"));
    Deno.mkdirSync(t.path("other"));
    Deno.mkdirSync(t.path("l"));
    await settle();
    const cmd = counted("cd l && pwd -P");
    const real = Deno.realPathSync(t.dir);
    assert.equal((await t.run(cmd)).out, `${real}/l\n`);
    assert.equal((await t.run(cmd)).out, `${real}/l\n`);
    assert.equal(runs(t), 1);
    Deno.removeSync(t.path("l"));
    Deno.symlinkSync("realdir", t.path("l"));
    await settle();
    assert.equal((await t.run(cmd)).out, `${real}/realdir\n`, "l is now a symlink: must miss");
    assert.equal(runs(t), 2);
    assert.equal((await t.run(cmd)).out, `${real}/realdir\n`);
    assert.equal(runs(t), 2, "unchanged link: hit");
    Deno.removeSync(t.path("l"));
    Deno.symlinkSync("other", t.path("l"));
    await settle();
    assert.equal((await t.run(cmd)).out, `${real}/other\n`, "re-pointed link: must miss");
    assert.equal(runs(t), 3);
  },
);

e2e("cat through a symlink the run made reads its target: a changed target misses", async (t) => {
  t.write("data.txt", "A\n");
  Deno.mkdirSync(t.path("d1"));
  t.write("d1/f", "X\n");
  await settle();
  const cmd = counted("ln -sfn ../data.txt out/q; cat out/q; ln -sfn ../d1 out/qd; cat out/qd/f");
  Deno.mkdirSync(t.path("out"));
  // The links are there, as after a first run: ln -sfn then replaces them (a run that first
  // makes them misses once more: symlink() would have failed had they existed).
  Deno.symlinkSync("../data.txt", t.path("out/q"));
  Deno.symlinkSync("../d1", t.path("out/qd"));
  assert.equal((await t.run(cmd)).out, "A\nX\n");
  assert.equal((await t.run(cmd)).out, "A\nX\n");
  assert.equal(runs(t), 1);
  t.write("data.txt", "B\n");
  await settle();
  assert.equal((await t.run(cmd)).out, "B\nX\n", "the link's target changed: must miss");
  assert.equal(runs(t), 2);
  t.write("d1/f", "Y\n");
  await settle();
  assert.equal((await t.run(cmd)).out, "B\nY\n", "a file read through a linked dir changed");
  assert.equal(runs(t), 3);
  assert.equal((await t.run(cmd)).out, "B\nY\n");
  assert.equal(runs(t), 3);
});

e2e("a write through a symlink the run made is an output of the link's target", async (t) => {
  const cmd = counted("mkdir -p out; ln -sfn data out/q; echo written > out/q");
  // out/ and the link are there, as after a first run (a run that first makes them misses
  // once more: mkdir and symlink would have failed had they existed).
  Deno.mkdirSync(t.path("out"));
  Deno.symlinkSync("data", t.path("out/q"));
  await t.run(cmd);
  assert.equal(t.read("out/data"), "written\n");
  Deno.removeSync(t.path("out/data")); // the target is what the run wrote: restore it
  await t.run(cmd);
  assert.equal(t.read("out/data"), "written\n");
  assert.equal(Deno.readLinkSync(t.path("out/q")), "data");
  assert.equal(runs(t), 1);
});

// The umask decides the modes of everything the run creates: a run under umask 077 must
// not replay the world-readable files a run under 022 made.
e2e("the umask is part of the key", async (t) => {
  const run = (mask: string) =>
    spawn(["sh", "-c", `umask ${mask}; ${casherWords(t)} -v -- sh -c 'echo x > f; mkdir d'`], {
      cwd: t.dir,
    });
  const mode = (p: string) => (Deno.statSync(t.path(p)).mode! & 0o777).toString(8);
  assert.equal((await run("022")).code, 0);
  assert.deepEqual([mode("f"), mode("d")], ["644", "755"]);
  Deno.removeSync(t.path("f"));
  Deno.removeSync(t.path("d"));
  const why = await spawn([
    "sh",
    "-c",
    `umask 027; ${casherWords(t)} why -- sh -c 'echo x > f; mkdir d'`,
  ], {
    cwd: t.dir,
  });
  assert.match(why.out, /would miss: the umask differs \(was 022, now 027\)/);
  const strict = await run("077");
  assert.doesNotMatch(strict.err, /: hit in /);
  assert.deepEqual([mode("f"), mode("d")], ["600", "700"]);
});

// mv renames first and stats only if that fails: nothing said `d` was a directory, and a
// replay restored an empty `e` next to the old `d`.
e2e("renaming a pre-existing directory nobody stat'ed is not stored", async (t) => {
  t.write("d/f", "1\n");
  await settle();
  const first = await t.run(["-v", "--", "mv", "d", "e"]);
  assert.equal(first.code, 0);
  assert.match(first.err, /not stored.*renamed pre-existing directory/);
  Deno.renameSync(t.path("e"), t.path("d"));
  await settle();
  assert.equal((await t.run(["--", "mv", "d", "e"])).code, 0);
  assert.equal(t.read("e/f"), "1\n");
  assert.throws(() => Deno.statSync(t.path("d")));
});

// `echo new > l` with l -> real writes real: the hit must write real too (the link stays a
// link), and only while l still points there.
e2e("a write through a symlink that was there before is an output of its target", async (t) => {
  const cmd = ["-v", "--", "sh", "-c", "echo new > l"];
  for (const dangling of [false, true]) {
    for (const p of ["l", "real"]) {
      try {
        Deno.removeSync(t.path(p));
      } catch { /* first round */ }
    }
    if (!dangling) t.write("real", "old\n");
    Deno.symlinkSync("real", t.path("l"));
    await settle();
    assert.equal((await t.run(cmd)).code, 0);
    assert.equal(t.read("real"), "new\n");
    if (dangling) Deno.removeSync(t.path("real"));
    else t.write("real", "old\n");
    await settle();
    const hit = await t.run(cmd);
    assert.match(hit.err, /: hit in /, `dangling: ${dangling}`);
    assert.equal(t.read("real"), "new\n", `dangling: ${dangling}`);
    assert.equal(Deno.readLinkSync(t.path("l")), "real");
    // A target no earlier round used: a run that wrote it would rightly be replayed.
    const other = `other-${dangling}`;
    Deno.removeSync(t.path("l"));
    Deno.symlinkSync(other, t.path("l"));
    await settle();
    assert.doesNotMatch((await t.run(cmd)).err, /: hit in /, "re-pointed: a miss");
    assert.equal(t.read(other), "new\n");
  }
});

// chmod is not traced; a directory's ctime moves with its entries, so only the mode the
// stat printed tells that the run changed what it had looked at.
e2e("a directory the run stat'ed and then chmod'ed is not stored", async (t) => {
  Deno.mkdirSync(t.path("sd"));
  Deno.chmodSync(t.path("sd"), 0o755);
  await settle();
  const cmd = ["-v", "--", "sh", "-c", "stat -c %a sd; chmod 700 sd"];
  const first = await t.run(cmd);
  assert.equal(first.out, "755\n");
  assert.match(first.err, /not stored.*sd changed while the command ran/);
  assert.equal((await t.run(cmd)).out, "700\n");
});

// tar opens each file O_EXCL, gets EEXIST, unlinks and writes it again: what it relied on
// is that a non-directory was there, which the unlink tells.
e2e("tar xf over its own earlier extraction is stored and hits", async (t) => {
  t.write("src/a.c", "a\n");
  Deno.mkdirSync(t.path("dst"));
  await settle();
  assert.equal((await spawn(["tar", "cf", "out.tar", "src"], { cwd: t.dir })).code, 0);
  assert.equal((await spawn(["tar", "xf", "out.tar", "-C", "dst"], { cwd: t.dir })).code, 0);
  await settle();
  const cmd = ["-v", "--", "tar", "xf", "out.tar", "-C", "dst"];
  assert.match((await t.run(cmd)).err, /casher: stored /);
  t.write("dst/src/a.c", "edited\n");
  await settle();
  assert.match((await t.run(cmd)).err, /: hit in /);
  assert.equal(t.read("dst/src/a.c"), "a\n");
});
