import type { ESLint } from 'eslint';

export declare const STAGES: readonly string[];
export declare const SHARED: readonly string[];
export declare const ENTRY: string;
declare const plugin: ESLint.Plugin;
export default plugin;
