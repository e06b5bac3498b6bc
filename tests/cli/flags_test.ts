import assert from "node:assert/strict";
import { parseFlags } from "../../lib/cli/_flags.ts";

const SPECS = {
  env: { type: "string", multiple: true },
  ttl: { type: "string" },
  force: { type: "boolean" },
  verbose: { type: "boolean", short: "v", multiple: true },
  quiet: { type: "boolean", short: "q" },
} as const;

Deno.test("long flags take values separately or after =; multiple flags collect; last wins", () => {
  const r = parseFlags(
    ["--env", "A", "--env=B", "--ttl", "1h", "--ttl=2h", "--force", "stats", "-"],
    SPECS,
  );
  assert.deepEqual(r.values, { env: ["A", "B"], ttl: "2h", force: true });
  assert.deepEqual(r.positionals, ["stats", "-"]);
  assert.deepEqual(parseFlags(["--ttl=", "--env=x=y"], SPECS).values, { ttl: "", env: ["x=y"] });
});

Deno.test("short booleans stand alone or bundled", () => {
  assert.deepEqual(parseFlags(["-v", "-vq"], SPECS).values, {
    verbose: [true, true],
    quiet: true,
  });
});

Deno.test("unknown flags, missing values and values given to booleans are errors naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /Unknown option '--bogus'/],
    [["-x"], /Unknown option '-x'/],
    [["--ttl"], /'--ttl <value>' argument missing/],
    [["--ttl", "--force"], /'--ttl <value>' argument missing/],
    [["--force=yes"], /'--force' does not take an argument/],
    [["--constructor"], /Unknown option '--constructor'/],
  ];
  for (const [args, message] of cases) assert.throws(() => parseFlags(args, SPECS), message);
});
