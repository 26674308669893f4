// The TinySeg plugin for rolldown: `import tinyseg from 'tinyseg/rolldown'`.
import type { Plugin } from 'rolldown';
import { tinysegPluginFor } from './factory.js';
import type { TinysegPluginOptions } from './plugin-options.js';

export type { TinysegPluginOptions } from './plugin-options.js';
// Typed with Rolldown's own type: the published declarations then need only Rolldown's, not unplugin's, which import every bundler unplugin supports.
const plugin: (options?: TinysegPluginOptions) => Plugin = tinysegPluginFor('rolldown');
export default plugin;
