import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execInterpreter } from "../../lib/engine/exec_interpreter.ts";

Deno.test("a script's #! interpreter is found, with its arguments dropped", () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-interp-"));
  try {
    const s = join(dir, "s.sh");
    writeFileSync(s, "#!/bin/sh -e\necho hi\n");
    chmodSync(s, 0o755);
    assert.equal(execInterpreter(s), "/bin/sh");
    writeFileSync(s, "#! /usr/bin/env -S casher -- bash\n");
    assert.equal(execInterpreter(s), "/usr/bin/env");
    writeFileSync(s, "no shebang\n");
    assert.equal(execInterpreter(s), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("an ELF binary's dynamic loader is found from PT_INTERP", () => {
  const interp = execInterpreter("/bin/sh");
  assert.ok(interp !== null && /ld-linux|ld-musl|ld\.so/.test(interp), String(interp));
  assert.equal(execInterpreter("/nonexistent/program"), null);
});
