// `tinyseg cache info|clean`: where the optimize cache is and what it holds,
// or empty it (docs/cache.md).

import { bytes as formatBytes } from '../../report/format.js';
import { cacheInfo, clearCache } from '../cache/optimize-cached.js';
import type { CliIO } from '../cli.js';
import { parseCommandArgs, usageError } from './usage.js';

export function runCache(args: string[], io: CliIO): number {
  const { values, positionals } = parseCommandArgs('cache', args);
  const [action, ...extra] = positionals;
  if ((action !== 'info' && action !== 'clean') || extra.length > 0) {
    throw usageError(`cache takes 'info' or 'clean'${positionals.length > 0 ? `, got '${positionals.join(' ')}'` : ''}`);
  }
  if (action === 'clean') {
    const r = clearCache();
    io.stdout(`removed ${r.removed} ${r.removed === 1 ? 'entry' : 'entries'} (${formatBytes(r.bytes)}) from ${r.dir}\n`);
    return 0;
  }
  const info = cacheInfo();
  if (values.json) io.stdout(`${JSON.stringify(info, null, 2)}\n`);
  else {
    const where = { option: '', env: ' ($CACHE_DIR)', project: '', tmp: ' (temp dir: the project is not writable)' }[info.source];
    io.stdout(`dir      ${info.dir}${where}\nentries  ${info.entries}\ntotal    ${formatBytes(info.bytes)}\ncap      ${formatBytes(info.maxBytes)}\n`);
  }
  return 0;
}
