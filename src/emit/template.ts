// The templates in templates/ (shipped in the npm package) and the small
// placeholder syntax they use:
//   {{key}}              the string value of key, inserted as given
//   {{#key}} ... {{/key}} the text between, kept when key is true, dropped when false
// Values are inserted verbatim: callers escape them for their context with
// c-text.ts. Rendering is strict both ways (a placeholder without a value, a
// value without a placeholder, a string where a flag belongs), so a template
// and its caller cannot drift apart silently.

import { readFileSync } from 'node:fs';

export type TemplateValues = Readonly<Record<string, string | boolean>>;

const TEMPLATE_DIR = new URL('../../templates/', import.meta.url);
const cache = new Map<string, string>();

/** The text of templates/<file> (src/emit and dist/emit both sit two levels below the package root). */
export function readTemplate(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(file, TEMPLATE_DIR), 'utf8');
    cache.set(file, text);
  }
  return text;
}

const SECTION = /\{\{#([A-Za-z0-9_]+)\}\}\n?([\s\S]*?)\{\{\/\1\}\}\n?/g;
const PLACEHOLDER = /\{\{([A-Za-z0-9_]+)\}\}/g;

export function renderTemplate(template: string, values: TemplateValues, templateName = 'template'): string {
  const used = new Set<string>();
  const value = (key: string): string | boolean => {
    const v = values[key];
    if (v === undefined) throw new Error(`${templateName}: no value for {{${key}}}`);
    used.add(key);
    return v;
  };
  const withSections = template.replace(SECTION, (_m, key: string, body: string) => {
    const v = value(key);
    if (typeof v !== 'boolean') throw new Error(`${templateName}: {{#${key}}} needs a boolean`);
    if (v) return body;
    // A dropped section's values are not errors: the caller computes them either way.
    for (const m of body.matchAll(PLACEHOLDER)) used.add(m[1]!);
    return '';
  });
  if (/\{\{[#/]/.test(withSections)) throw new Error(`${templateName}: unbalanced or nested section`);
  const out = withSections.replace(PLACEHOLDER, (_m, key: string) => {
    const v = value(key);
    if (typeof v !== 'string') throw new Error(`${templateName}: {{${key}}} needs a string`);
    return v;
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length > 0) throw new Error(`${templateName}: values without a placeholder: ${unused.join(', ')}`);
  return out;
}

export const renderTemplateFile = (file: string, values: TemplateValues): string => renderTemplate(readTemplate(file), values, file);
