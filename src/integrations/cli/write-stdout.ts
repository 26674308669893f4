// The CLI's output, written to fd 1 directly. Creating process.stdout (a
// stream over the pipe, file or terminal) costs ~3.5 ms, a tenth of what a
// whole `tinyseg optimize` on a cache hit spends in our code. On POSIX the
// stream writes pipes, files and terminals synchronously anyway, so the bytes
// and their order are the same. Windows consoles need the stream's encoding,
// and a non-blocking pipe (EAGAIN) needs its buffering: from then on the
// stream takes everything, so output never overtakes output queued before it.
// A closed pipe ends the output quietly, as for other command-line tools.

import { writeSync } from 'node:fs';

let useStream = process.platform === 'win32';

export function writeStdout(text: string): void {
  if (useStream) {
    process.stdout.write(text);
    return;
  }
  const data = Buffer.from(text, 'utf8');
  let done = 0;
  try {
    while (done < data.length) done += writeSync(1, data, done);
  } catch (e) {
    // A reader that went away (`tinyseg report m.tflite | head`) wants no more output.
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return;
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    useStream = true;
    process.stdout.write(data.subarray(done));
  }
}
