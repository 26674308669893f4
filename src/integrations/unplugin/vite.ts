// The TinySeg plugin for Vite: `import tinyseg from 'tinyseg/vite'`.
import { tinysegPluginFor } from './factory.js';

export type { TinysegPluginOptions } from './factory.js';
export default tinysegPluginFor('vite');
