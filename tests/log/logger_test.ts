import assert from "node:assert/strict";
import { test } from "../function/_shim.ts";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LogCall, logger, renderTemplate, setLogBackend } from "../../lib/log/logger.ts";
import { installCliLogging } from "../../lib/cli/log_sink.ts";

test("templates render each {name} from the properties, strings raw and others as JSON", () => {
  assert.equal(
    renderTemplate("stored {label}: {bytes} bytes {list} {missing}", {
      label: "make -j2",
      bytes: 12,
      list: ["a"],
    }),
    'stored make -j2: 12 bytes ["a"] {missing}',
  );
});

test("log calls go to the backend installed when they are made, with category and level", () => {
  const calls: LogCall[] = [];
  const log = logger("store"); // made before the backend exists
  const previous = setLogBackend({ enabled: (l) => l !== "debug", log: (c) => calls.push(c) });
  try {
    log.debug("dropped");
    log.warn("kept {n}", { n: 1 });
    assert.deepEqual(calls, [{
      category: ["casher", "store"],
      level: "warning",
      template: "kept {n}",
      props: { n: 1 },
    }]);
  } finally {
    setLogBackend(previous);
  }
});

test("the CLI sink writes casher: lines at or above its verbosity only", () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-log-"));
  const file = join(dir, "err");
  const fd = openSync(file, "w");
  const previous = setLogBackend(null);
  try {
    installCliLogging("normal", { fd });
    const log = logger("engine");
    log.info("lookup {label}: hit", { label: "make" });
    log.warn("cache dir {dir} is not writable", { dir: "/x" });
    installCliLogging("verbose", { fd });
    log.info("lookup {label}: hit", { label: "make" });
    log.debug("not at -v");
  } finally {
    setLogBackend(previous);
    closeSync(fd);
  }
  const text = readFileSync(file, "utf8");
  rmSync(dir, { recursive: true });
  assert.equal(text, "casher: cache dir /x is not writable\ncasher: lookup make: hit\n");
});
