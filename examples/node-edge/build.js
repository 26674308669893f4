// Bundles src/server.js into one file for Node: TinySeg's esbuild plugin
// optimizes the imported model at build time, so the service ships the
// optimized bytes and their report and needs no TinySeg at run time.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import tinyseg from 'tinyseg/esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** Writes <outdir>/server.js; returns its path. */
export async function bundleServer(outdir = join(here, 'dist')) {
  await build({
    entryPoints: [join(here, 'src', 'server.js')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outdir,
    logLevel: 'warning',
    plugins: [tinyseg()],
  });
  return join(outdir, 'server.js');
}

// `node build.js [outdir]`
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await bundleServer(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`built ${out}`);
}
