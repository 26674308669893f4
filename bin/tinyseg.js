#!/usr/bin/env node
// Node 22.1+ can keep compiled modules on disk between runs (a good part of
// what a cache hit spends in our code); Node 20 has no such cache, and is not
// charged for loading node:module to find that out. Called before the CLI is
// imported, so its modules are the ones cached.
if (Number(process.versions.node.split('.')[0]) >= 22) process.getBuiltinModule('node:module').enableCompileCache?.();

// The CLI as one module (`npm run build` bundles it): resolving and reading the ~250 modules of dist/ one by one
// costs a start ~80 ms.
const { runCli } = await import('../dist/bundle/cli.js');

const code = await runCli(process.argv.slice(2));
// runCli returns when its work is done (a remote cache upload included). Node would still finish V8's incremental
// marking and other idle tasks before exiting (~10 ms); exit now unless output is still buffered (an asynchronous
// pipe), which the natural exit flushes.
if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
process.exitCode = code;
