/**
 * Inherited file descriptors above 2, end to end: what the command gets and what that
 * means for caching (see `lib/command/passed_fds.ts`). Each test runs against the compiled
 * binary and against `deno run cli.ts`, through bash, which sets the descriptors up.
 */
import assert from "node:assert/strict";
import { casherWords, e2e, settle, spawn } from "./_harness.ts";

function bash(t: Parameters<Parameters<typeof e2e>[1]>[0], script: string) {
  return spawn(["bash", "-c", script], { cwd: t.dir });
}

e2e("bash's <(cmd) reaches the command and is never replayed from a cache", async (t) => {
  // The pipe's bytes are not recorded: a hit here replayed "one" for `<(echo two)`.
  const c = casherWords(t);
  const one = await bash(t, `${c} -- cat <(echo one)`);
  assert.equal(one.out, "one\n", one.err);
  const two = await bash(t, `${c} -v -- cat <(echo two)`);
  assert.equal(two.out, "two\n", two.err);
  assert.match(two.err, /cannot record what a pipe holds, so it runs uncached/);
  const diff = await bash(t, `${c} -- diff <(printf 'a\\nb\\n') <(printf 'a\\nc\\n')`);
  assert.equal(diff.code, 1);
  assert.match(diff.out, /^< b\n---\n> c$/m);
});

e2e("a file on fd 3 is passed on; a run that writes through it is not stored", async (t) => {
  const c = casherWords(t);
  const script = `${c} -v -- sh -c 'echo logged >&3; echo done' 3>>log`;
  const first = await bash(t, script);
  assert.equal(first.out, "done\n", first.err);
  assert.match(first.err, /not stored .*inherited fd 3 \(.*\/log\)/);
  const second = await bash(t, script);
  assert.equal(second.out, "done\n");
  assert.equal(t.read("log"), "logged\nlogged\n", "the second run wrote too: no replay");
});

e2e("a file on fd 3 that the command leaves alone does not stop caching", async (t) => {
  t.write("data", "unused\n");
  await settle();
  const c = casherWords(t);
  const script = `${c} -v -- sh -c 'test -e /proc/self/fd/3 && echo has-3' 3<data`;
  assert.equal((await bash(t, script)).out, "has-3\n");
  const hit = await bash(t, script);
  assert.equal(hit.out, "has-3\n");
  assert.match(hit.err, /: hit in /);
  // Without the descriptor it is another key: the command would not have seen fd 3.
  const without = await bash(t, `${c} -v -- sh -c 'test -e /proc/self/fd/3 && echo has-3'`);
  assert.equal(without.out, "");
  assert.doesNotMatch(without.err, /: hit in /);
});

e2e("a pipe on fd 3 the command does not name is closed for it, under both runtimes", async (t) => {
  const c = casherWords(t);
  const probe = `echo x >&3 2>/dev/null && echo passed || echo closed`;
  const r = await bash(t, `${c} -v -- sh -c '${probe}' 3> >(cat > /dev/null)`);
  assert.equal(r.out, "closed\n", r.err);
  assert.match(r.err, /not passing inherited fd 3 \(pipe:/);
});

e2e("make's jobserver pipes reach a casher'd sub-make", async (t) => {
  const c = casherWords(t).replaceAll("$", "$$");
  const probe = "test -e /proc/self/fd/3 && test -e /proc/self/fd/4 && echo tokens";
  t.write(
    "Makefile",
    `all:\n\t+${c} -- sh -c 'echo "$$MAKEFLAGS" | grep -q jobserver-auth=3,4 && ${probe}'\n`,
  );
  const r = await spawn(["make", "-s", "-j2"], { cwd: t.dir });
  assert.equal(r.out, "tokens\n", r.err);
});

e2e("casher why names inherited descriptors that differ from the closest entry", async (t) => {
  t.write("data", "x\n");
  await settle();
  const c = casherWords(t);
  assert.equal((await bash(t, `${c} -- echo hi 3<data`)).out, "hi\n");
  const why = await bash(t, `${c} why -- echo hi`);
  assert.equal(why.code, 1, why.err);
  // The test runner may leak descriptors of its own (both runs have those).
  assert.match(why.out, /inherited file descriptors differ \(were 3:file\b[^;]*, now /);
  assert.doesNotMatch(why.out, /now [^;]*3:file/);
});
