// The TinySeg plugin for rolldown: `import tinyseg from 'tinyseg/rolldown'`.
import { tinysegPluginFor } from './factory.js';

export type { TinysegPluginOptions } from './factory.js';
export default tinysegPluginFor('rolldown');
