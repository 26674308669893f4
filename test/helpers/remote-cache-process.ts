// What the remote-cache system tests share: child processes run without
// blocking the test's own process (servers it hosts keep answering), and with
// an environment free of the developer's own TINYSEG_REMOTE_CACHE settings.

import { spawn } from 'node:child_process';

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A command's exit code and output. */
export function runAsync(cmd: string, args: string[], options: { cwd: string; env: Record<string, string> }): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The environment without any TINYSEG_REMOTE_CACHE* variable: each test sets its own. */
export function withoutRemoteEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !k.startsWith('TINYSEG_REMOTE_CACHE')) out[k] = v;
  return out;
}
