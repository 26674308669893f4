// The TinySeg plugin for Rspack: `import tinyseg from 'tinyseg/rspack'`.
import { tinysegPluginFor } from './factory.js';

export type { TinysegPluginOptions } from './factory.js';
export default tinysegPluginFor('rspack');
