/**
 * stdin, signals and pipes end to end: a cached command sees the same stdin, signals and
 * broken pipes it would see without casher, on a miss and on a hit.
 * Each test runs against the compiled binary and against `deno run cli.ts`.
 */
import assert from "node:assert/strict";
import { casherWords, counted, e2e, runs, settle, spawn } from "./_harness.ts";

e2e("under nohup the command ignores SIGHUP too, as it would without casher", async (t) => {
  // A session of its own, so the hangup reaches casher, strace and the command but not the
  // test runner; the command hangs up its whole process group, then reports.
  const inner = `kill -HUP 0; grep SigIgn /proc/self/status >&2; echo survived`;
  const casher = [...t.target.argv, "--cache-dir", t.cache, "--", "sh", "-c", inner];
  const quoted = casher.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const r = await spawn(["setsid", "--wait", "sh", "-c", `trap '' HUP; exec ${quoted}`], {
    cwd: t.dir,
  });
  assert.equal(r.out, "survived\n", r.err);
  assert.equal(r.code, 0);
  // Without nohup the hangup ends it, as it would end the command alone.
  const plain = await spawn(["setsid", "--wait", ...casher.slice(0, -1), `${inner}; exit 3`], {
    cwd: t.dir,
  });
  assert.equal(plain.code, 128 + 1, plain.err);
});

e2e("stdin from a pipe is part of the key and reaches the command unchanged", async (t) => {
  const cmd = counted("tr a-z A-Z");
  assert.equal((await t.run(cmd, { stdin: "abc\n" })).out, "ABC\n");
  assert.equal((await t.run(cmd, { stdin: "abc\n" })).out, "ABC\n");
  assert.equal(runs(t), 1);
  assert.equal((await t.run(cmd, { stdin: "xyz\n" })).out, "XYZ\n");
  assert.equal(runs(t), 2);
});

e2e("a signal sent to casher reaches the command, whose exit code passes through", async (t) => {
  const cmd = new Deno.Command(t.target.argv[0], {
    args: [
      ...t.target.argv.slice(1),
      "--cache-dir",
      t.cache,
      "--",
      "sh",
      "-c",
      "trap 'echo got TERM; kill $!; exit 3' TERM; touch started; sleep 5 & wait",
    ],
    cwd: t.dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  for (let i = 0; i < 400; i++) {
    try {
      Deno.statSync(t.path("started"));
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  cmd.kill("SIGTERM");
  const r = await cmd.output();
  assert.equal(new TextDecoder().decode(r.stdout), "got TERM\n");
  assert.equal(r.code, 3);
});

e2e("a reader that goes away stops the command with SIGPIPE, as without casher", async (t) => {
  const casher = casherWords(t);
  // `timeout` turns a hang (the bug) into a failure instead of a stuck test.
  const yes = await spawn(
    ["timeout", "60", "bash", "-c", `${casher} -- yes < /dev/null | head -1`],
    {
      cwd: t.dir,
    },
  );
  assert.equal(yes.code, 0, yes.err);
  assert.equal(yes.out, "y\n");
  const seq = await spawn([
    "timeout",
    "60",
    "bash",
    "-c",
    `set -o pipefail; ${casher} -v -- seq 1000000 < /dev/null | head -1`,
  ], { cwd: t.dir });
  assert.equal(seq.code, 141, seq.err);
  assert.equal(seq.out, "1\n");
  assert.match(seq.err, /casher: not stored seq 1000000: .*went away/);
  // A shell's own child writing is stopped too, and the shell goes on as it would.
  const sh = await spawn([
    "timeout",
    "60",
    "bash",
    "-c",
    `set -o pipefail; ${casher} -- sh -c 'yes; echo after >&2' < /dev/null | head -1`,
  ], { cwd: t.dir });
  assert.equal(sh.code, 0, sh.err);
  assert.equal(sh.err, "after\n");
  assert.deepEqual(JSON.parse((await t.run(["ls", "--json"])).out), [], "nothing was stored");
});

e2e("a hit whose reader goes away exits 141 like the command would", async (t) => {
  const cmd = ["--", "seq", "100000"];
  assert.equal((await t.run(cmd)).code, 0);
  const hit = await spawn([
    "timeout",
    "60",
    "bash",
    "-c",
    `set -o pipefail; ${casherWords(t)} -v -- seq 100000 < /dev/null | head -1`,
  ], { cwd: t.dir });
  assert.match(hit.err, /casher: hit seq 100000/);
  assert.equal(hit.out, "1\n");
  assert.equal(hit.code, 141, hit.err);
});

e2e(
  "a file on stdin is hashed without moving its offset: a `while read` loop sees every line",
  async (t) => {
    t.write("list", "a\nb\nc\n");
    await settle();
    const loop = `while read f; do ${casherWords(t)} -- echo "item $f"; done < list`;
    for (const pass of ["miss", "hit"]) {
      const r = await spawn(["bash", "-c", loop], { cwd: t.dir });
      assert.equal(r.out, "item a\nitem b\nitem c\n", `${pass}: ${r.err}`);
    }
    // The command reads from the shared offset, and the key is the bytes from there on.
    const rest = `(read first; ${casherWords(t)} -v -- cat) < list`;
    assert.equal((await spawn(["bash", "-c", rest], { cwd: t.dir })).out, "b\nc\n");
    const again = await spawn(["bash", "-c", rest], { cwd: t.dir });
    assert.equal(again.out, "b\nc\n");
    assert.match(again.err, /casher: hit cat/);
  },
);

e2e("an endless pipe on stdin runs the command uncached with its whole input", async (t) => {
  const casher = casherWords(t);
  const yes = await spawn(
    ["timeout", "60", "bash", "-c", `yes | ${casher} -v -- head -1`],
    { cwd: t.dir },
  );
  assert.equal(yes.code, 0, yes.err);
  assert.equal(yes.out, "y\n");
  assert.match(yes.err, /casher: stdin goes on past \d+ bytes, .*running the command uncached/);
  // Past the bound, the command still gets every byte: the spooled ones, then the rest.
  const n = 300_000_000;
  const wc = await spawn(
    ["timeout", "60", "bash", "-c", `head -c ${n} /dev/zero | ${casher} -- wc -c`],
    { cwd: t.dir },
  );
  assert.equal(wc.out.trim(), String(n), wc.err);
  assert.deepEqual([...Deno.readDirSync(`${t.cache}/v1/tmp`)], [], "no spool file left");
});

e2e("the stdin spool is never left behind, even when casher is killed", async (t) => {
  const child = new Deno.Command(t.target.argv[0], {
    args: [...t.target.argv.slice(1), "--cache-dir", t.cache, "--", "cat"],
    cwd: t.dir,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("some input, and the pipe stays open\n"));
  const tmp = `${t.cache}/v1/tmp`;
  const spooled = () => {
    try {
      return [...Deno.readDirSync(tmp)].map((e) => e.name);
    } catch {
      return [];
    }
  };
  const exists = (p: string) => {
    try {
      return Deno.statSync(p).isDirectory;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 400 && !exists(tmp); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(exists(tmp), "casher made its temp dir (it is spooling): else nothing is checked");
  await new Promise((r) => setTimeout(r, 500)); // casher is spooling the open pipe now
  assert.deepEqual(spooled(), [], "the spool is unlinked as soon as it is made");
  child.kill("SIGTERM");
  await child.status;
  await writer.close().catch(() => {});
  assert.deepEqual(spooled(), []);
});

e2e("a hit moves a stdin file's offset as far as the command did", async (t) => {
  t.write("in.txt", "l1\nl2\nl3\n");
  await settle();
  const casher = casherWords(t);
  // A pipe with the same bytes first: its entry records no offset, and must not serve the file.
  const piped = await spawn(["bash", "-c", `printf 'l1\\nl2\\nl3\\n' | ${casher} -- head -n1`], {
    cwd: t.dir,
  });
  assert.equal(piped.out, "l1\n");
  const script = `( ${casher} -v -- head -n1; echo rest:; cat ) < in.txt`;
  for (const pass of ["miss", "hit"]) {
    const r = await spawn(["bash", "-c", script], { cwd: t.dir });
    assert.equal(r.out, "l1\nrest:\nl2\nl3\n", `${pass}: ${r.err}`);
    if (pass === "hit") assert.match(r.err, /casher: hit head -n1/);
  }
  // From another offset the bytes differ, so it is another entry, and it advances too.
  const later = `( read x; ${casher} -v -- head -n1; echo rest:; cat ) < in.txt`;
  for (const pass of ["miss", "hit"]) {
    const r = await spawn(["bash", "-c", later], { cwd: t.dir });
    assert.equal(r.out, "l2\nrest:\nl3\n", `${pass}: ${r.err}`);
  }
});

// Bun's own child pipes for stdin and stderr are sockets, which cannot be reopened: scripts
// writing `> /dev/stderr` or reading `/dev/stdin` failed under casher (and the error text
// was cached). The command must see what it would see without casher.
e2e("a command may reopen /dev/stderr, /dev/stdout and a piped /dev/stdin", async (t) => {
  const script = "echo warn > /dev/stderr; echo out > /dev/stdout; cat /dev/stdin";
  const first = await t.run(["--", "sh", "-c", script], { stdin: "in\n" });
  assert.equal(first.err, "warn\n");
  assert.equal(first.out, "out\nin\n");
  assert.equal(first.code, 0);
  const hit = await t.run(["-v", "--", "sh", "-c", script], { stdin: "in\n" });
  assert.match(hit.err, /^warn$/m);
  assert.match(hit.err, /: hit in /);
  assert.equal(hit.out, "out\nin\n");
});

// `> log 2>&1` (or a terminal): casher's stdout and stderr are one file, and the command
// gets one pipe for both, so the log holds its lines in the order it wrote them, live and
// on a hit; sent apart (2>/dev/null), the same command is another key.
e2e("stdout and stderr sent to one file keep the command's exact order", async (t) => {
  const script = "for i in $(seq 200); do echo out$i; echo err$i >&2; done";
  const inner = `-- sh -c '${script}'`;
  const truth = await spawn(["sh", "-c", `sh -c '${script}' > truth 2>&1`], { cwd: t.dir });
  assert.equal(truth.code, 0);
  for (const round of ["miss", "hit"]) {
    const r = await spawn(["sh", "-c", `${casherWords(t)} ${inner} > log 2>&1`], { cwd: t.dir });
    assert.equal(r.code, 0);
    assert.equal(t.read("log"), t.read("truth"), round);
  }
  const apart = await spawn(["sh", "-c", `${casherWords(t)} -v ${inner} 2>/dev/null`], {
    cwd: t.dir,
  });
  assert.match(apart.out, /^out1\nout2\n/, "only stdout, never the merged log");
});

// A piped stdin stays a pipe: `head` cannot seek back in it, so `cat` after it sees what it
// would see without casher (nothing head's read took), and the test says "pipe".
e2e("a piped stdin reaches the command as a pipe", async (t) => {
  const script = "head -n1; echo ---; cat; [ -p /dev/stdin ] && echo pipe || echo other";
  const truth = await spawn(["sh", "-c", script], { cwd: t.dir, stdin: "a\nb\nc\n" });
  const r = await t.run(["--", "sh", "-c", script], { stdin: "a\nb\nc\n" });
  assert.equal(r.out, truth.out);
  assert.match(r.out, /pipe\n$/);
});

// The program sees the argv[0] it was given: error messages name `sh`, as without casher.
e2e("a command found through PATH keeps the argv[0] it was typed with", async (t) => {
  const r = await t.run(["--", "sh", "-c", 'echo "$0"']);
  assert.equal(r.out, "sh\n");
});
