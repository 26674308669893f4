// The TinySeg plugin for Rollup: `import tinyseg from 'tinyseg/rollup'`.
import { tinysegPluginFor } from './factory.js';

export type { TinysegPluginOptions } from './factory.js';
export default tinysegPluginFor('rollup');
