// The TinySeg plugin for webpack: `import tinyseg from 'tinyseg/webpack'`.
import type { WebpackPluginInstance } from 'webpack';
import { tinysegPluginFor } from './factory.js';
import type { TinysegPluginOptions } from './plugin-options.js';

export type { TinysegPluginOptions } from './plugin-options.js';
// Typed with webpack's own type: the published declarations then need only webpack's, not unplugin's, which import every bundler unplugin supports.
const plugin: (options?: TinysegPluginOptions) => WebpackPluginInstance = tinysegPluginFor('webpack');
export default plugin;
