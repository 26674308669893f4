// The TinySeg plugin for webpack: `import tinyseg from 'tinyseg/webpack'`.
import { tinysegPluginFor } from './factory.js';

export type { TinysegPluginOptions } from './factory.js';
export default tinysegPluginFor('webpack');
