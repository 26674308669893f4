// The TinySeg plugin for Rollup: `import tinyseg from 'tinyseg/rollup'`.
import type { Plugin } from 'rollup';
import { tinysegPluginFor } from './factory.js';
import type { TinysegPluginOptions } from './plugin-options.js';

export type { TinysegPluginOptions } from './plugin-options.js';
// Typed with Rollup's own type: the published declarations then need only Rollup's, not unplugin's, which import every bundler unplugin supports.
const plugin: (options?: TinysegPluginOptions) => Plugin = tinysegPluginFor('rollup');
export default plugin;
