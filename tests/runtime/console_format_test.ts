import assert from "node:assert/strict";
import { isBun, test } from "../function/_shim.ts";
import { consoleFormat } from "../../lib/runtime/console_format.ts";
import { bunConsoleDepth, bunConsoleFormat } from "../../lib/runtime/bun_console_format.ts";

test("the console formatter is Deno's own under Deno and the Bun emulation under Bun", () => {
  assert.equal(consoleFormat().kind, isBun ? "emulated" : "native");
  const f = consoleFormat();
  assert.equal(f.line(["100% done", "x"]), "100% done x");
  assert.equal(f.line(["rate %d%%", 1]), isBun ? "rate 1%%" : "rate 1%");
  assert.equal(f.assertion(["x"]), isBun ? "x" : "Assertion failed: x");
  assert.equal(f.assertion([]), "Assertion failed");
  assert.equal(f.dir([]), isBun ? undefined : "undefined");
});

/** A stand-in for Bun.inspect, so the format-string rules are checked in any runtime. */
const fake = {
  inspect: (v: unknown, o: { depth: number; colors: boolean }) =>
    `<${typeof v === "string" ? JSON.stringify(v) : String(v)} d${o.depth}${o.colors ? " c" : ""}>`,
};

test("Bun emulation: format specifiers, %% only while values remain, the rest inspected", () => {
  const { line } = bunConsoleFormat(fake, { execArgv: [] })!;
  const cases: [unknown[], string][] = [
    [["rate %d%%", 1], "rate 1%%"],
    [["%d%% of %s", 50, "x"], "50% of x"],
    [["%%%d", 5], "%%d <5 d2>"],
    [["%s|%i|%f|%j|%c.", "s", 4.7, "1.5", { c: 1 }, "color: red"], 's|4|1.5|{"c":1}|.'],
    [["%o %O", 1, 2], "<1 d2> <2 d2>"],
    [["%d %i %f", -0.5, 1e21, -0], "0 1 0"],
    [["%d", "abc"], "NaN"],
    [["%x %", 9], "%x % <9 d2>"],
    [["only %d"], "only %d"],
    [["a", "b %d", 3, "c"], "a b 3 c"],
    [[new String("boxed %s"), "x"], "boxed x"],
    [[1, new String("b")], '<1 d2> [String: "b"]'],
    [[], ""],
  ];
  for (const [args, want] of cases) assert.equal(line(args), want, JSON.stringify(args));
  assert.throws(() => line(["%d", 1n]), TypeError, "Bun's console throws here too");
});

test("Bun emulation: console.dir depth and colors, console depth from the command line", () => {
  const { dir } = bunConsoleFormat(fake, { execArgv: ["--console-depth=4"] })!;
  assert.equal(dir([{}]), "<[object Object] d4>");
  assert.equal(dir([{}, { depth: 0, colors: true }]), "<[object Object] d0 c>");
  assert.equal(dir([{}, { depth: -1 }]), "<[object Object] d0>");
  assert.equal(dir([{}, { depth: 1.7 }]), "<[object Object] d1>");
  assert.equal(dir([{}, { depth: null }]), "<[object Object] d65535>");
  assert.equal(dir(["str", { depth: 0 }]), "str");
  assert.equal(dir([]), undefined);
  assert.equal(bunConsoleDepth(["--console-depth", "7"]), 7);
  assert.equal(bunConsoleDepth([]), 2);
  assert.equal(bunConsoleFormat(undefined), undefined);
});
