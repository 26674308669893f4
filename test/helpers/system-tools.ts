// vitest globalSetup of the system project (`npm run test:system`, files named
// *.system.test.ts): the tests that run real compilers, CMake, QEMU and
// Chromium. Every tool is looked for once, before any test: a missing one
// fails the whole run with one message naming it and the Debian package that
// has it (what .ci/run installs), instead of a skip or a failure deep inside
// a test. Chromium's path is resolved here too and handed to the tests
// (inject('chromium')), so no test looks for it again on its own.

import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Chromium executable the browser tests launch. */
    chromium: string;
  }
}

/** Tools run by the system tests, and the Debian packages that provide them. */
export const SYSTEM_TOOLS: readonly (readonly [tool: string, packages: string])[] = [
  ['gcc', 'gcc'],
  ['g++', 'g++'],
  ['nm', 'binutils'],
  ['make', 'make'],
  ['cmake', 'cmake'],
  ['ninja', 'ninja-build'],
  ['arm-none-eabi-gcc', 'gcc-arm-none-eabi libnewlib-arm-none-eabi'],
  ['arm-none-eabi-g++', 'gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib'],
  ['arm-none-eabi-nm', 'binutils-arm-none-eabi'],
  ['arm-none-eabi-objdump', 'binutils-arm-none-eabi'],
  ['qemu-system-arm', 'qemu-system-arm'],
  // The remote cache's tests serve a Bazel HTTP cache with nginx's WebDAV module (Debian builds it in).
  ['nginx', 'nginx'],
];

/** The first executable file named `name` on PATH. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** $TINYSEG_CHROMIUM, else `chromium` or `chromium-browser` on PATH; undefined when none runs `--version`. */
export function findChromium(): string | undefined {
  const given = process.env['TINYSEG_CHROMIUM'];
  const candidates = given ? [given] : ['chromium', 'chromium-browser'].map(onPath).filter((f) => f !== undefined);
  return candidates.find((file) => spawnSync(file, ['--version'], { stdio: 'ignore', timeout: 30_000 }).status === 0);
}

export default function setup(project: TestProject): void {
  const missing: string[] = [];
  const packages = new Set<string>();
  for (const [tool, pkg] of SYSTEM_TOOLS) {
    if (onPath(tool) !== undefined) continue;
    missing.push(tool);
    for (const p of pkg.split(' ')) packages.add(p);
  }
  // The newlib pieces the firmware links: gcc prints a bare file name when they are missing.
  if (onPath('arm-none-eabi-g++') !== undefined) {
    for (const [file, args, pkg] of [
      ['rdimon.specs', [], 'libnewlib-arm-none-eabi'],
      ['libstdc++.a', ['-mcpu=cortex-m4', '-mthumb'], 'libstdc++-arm-none-eabi-newlib'],
    ] as const) {
      const found = spawnSync('arm-none-eabi-g++', [...args, `-print-file-name=${file}`], { encoding: 'utf8' }).stdout.trim();
      if (!found.includes('/')) {
        missing.push(`arm-none-eabi-gcc's ${file}`);
        packages.add(pkg);
      }
    }
  }
  const chromium = findChromium();
  if (chromium === undefined) {
    missing.push(process.env['TINYSEG_CHROMIUM'] ? `Chromium at TINYSEG_CHROMIUM=${process.env['TINYSEG_CHROMIUM']} (it does not run --version)` : 'chromium');
    packages.add('chromium');
  }
  if (missing.length > 0) {
    throw new Error(
      `the system tests need ${missing.join(', ')}, missing here. ` +
        `Install with: apt-get install -y --no-install-recommends ${[...packages].join(' ')} (.ci/run does this), ` +
        'or run only the Node tests: npm test',
    );
  }
  project.provide('chromium', chromium!);
}
