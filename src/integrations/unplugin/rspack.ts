// The TinySeg plugin for Rspack: `import tinyseg from 'tinyseg/rspack'`.
import type { RspackPluginInstance } from '@rspack/core';
import { tinysegPluginFor } from './factory.js';
import type { TinysegPluginOptions } from './plugin-options.js';

export type { TinysegPluginOptions } from './plugin-options.js';
// Typed with Rspack's own type: the published declarations then need only Rspack's, not unplugin's, which import every bundler unplugin supports.
const plugin: (options?: TinysegPluginOptions) => RspackPluginInstance = tinysegPluginFor('rspack');
export default plugin;
