export const WAT_FILE: string;
export const GENERATED_FILE: string;
export function generatedKernelsModule(): Promise<string>;
export const WAT_FRAGMENTS: string[];
