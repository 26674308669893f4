// The TinySeg plugin for esbuild: `import tinyseg from 'tinyseg/esbuild'`.
import { tinysegPluginFor } from './factory.js';

export type { TinysegPluginOptions } from './factory.js';
export default tinysegPluginFor('esbuild');
