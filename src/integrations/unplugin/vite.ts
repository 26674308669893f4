// The TinySeg plugin for Vite: `import tinyseg from 'tinyseg/vite'`.
import type { Plugin } from 'vite';
import { tinysegPluginFor } from './factory.js';
import type { TinysegPluginOptions } from './plugin-options.js';

export type { TinysegPluginOptions } from './plugin-options.js';
// Typed with Vite's own type: the published declarations then need only Vite's, not unplugin's, which import every bundler unplugin supports.
const plugin: (options?: TinysegPluginOptions) => Plugin = tinysegPluginFor('vite');
export default plugin;
