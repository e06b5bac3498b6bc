import assert from "node:assert/strict";
import { parseCli } from "../../lib/cli/args.ts";
import { isCasherError } from "../../lib/errors/casher_error.ts";

const env = {};

Deno.test("flags before -- configure the run and everything after -- is the command", () => {
  const r = parseCli(
    ["--env", "CC", "--input", "a", "--output-root", "out", "-v", "--", "make", "--env", "x"],
    { env },
  );
  assert.equal(r.kind, "run");
  if (r.kind !== "run") return;
  assert.deepEqual(r.argv, ["make", "--env", "x"]);
  assert.deepEqual(r.run.envAllow, ["CC"]);
  assert.deepEqual(r.run.inputs, ["a"]);
  assert.deepEqual(r.run.outputRoots, ["out"]);
  assert.equal(r.common.verbosity, "verbose");
  assert.equal(r.run.replayOutputs, "always");
});

Deno.test("CASHER_ENV adds names to the env allow-list", () => {
  const r = parseCli(["--env", "A", "--", "true"], { env: { CASHER_ENV: "B, A" } });
  assert.ok(r.kind === "run");
  if (r.kind === "run") assert.deepEqual(r.run.envAllow, ["A", "B"]);
});

Deno.test("bad flags and values are usage errors naming the problem", () => {
  const cases: [string[], RegExp][] = [
    [["--bogus", "--", "true"], /bogus/],
    [["--replay-outputs", "sometimes", "--", "true"], /always, if-missing or never/],
    [["--ttl", "soon", "--", "true"], /--ttl="soon" is not a duration/],
    [["--max-cache-bytes", "12x", "--", "true"], /--max-cache-bytes="12x" is not a size/],
    [["--env", "A-B", "--", "true"], /variable name/],
    [["make"], /unknown subcommand "make"/],
    [[], /no command given/],
    [["stats", "--force"], /--force applies only when running a command/],
    [["ls", "--", "x"], /takes no command/],
    [["rm"], /rm needs a key/],
    [["--json", "--", "true"], /--json applies to stats and ls/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseCli(args, { env }), (e: unknown) => {
      assert.ok(isCasherError(e, "usage"), `${args.join(" ")}: ${e}`);
      assert.match((e as Error).message, message);
      return true;
    });
  }
});

Deno.test("subcommands parse their own flags", () => {
  const rm = parseCli(["rm", "--cmd", "make", "--older-than", "7d"], { env });
  assert.ok(rm.kind === "rm");
  if (rm.kind === "rm") {
    assert.equal(rm.cmdPrefix, "make");
    assert.equal(rm.olderThanMs, 7 * 86_400_000);
  }
  const why = parseCli(["why", "--env", "CC", "--", "gcc", "-c", "a.c"], { env });
  assert.ok(why.kind === "why");
  assert.equal(parseCli(["stats", "--json"], { env }).kind, "stats");
  assert.equal(parseCli(["--help"], { env }).kind, "help");
  assert.equal(parseCli(["--version"], { env }).kind, "version");
});
