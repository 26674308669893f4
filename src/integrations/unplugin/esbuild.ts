// The TinySeg plugin for esbuild: `import tinyseg from 'tinyseg/esbuild'`.
import type { Plugin } from 'esbuild';
import { tinysegPluginFor } from './factory.js';
import type { TinysegPluginOptions } from './plugin-options.js';

export type { TinysegPluginOptions } from './plugin-options.js';
// Typed with esbuild's own type: the published declarations then need only esbuild's, not unplugin's, which import every bundler unplugin supports.
const plugin: (options?: TinysegPluginOptions) => Plugin = tinysegPluginFor('esbuild');
export default plugin;
