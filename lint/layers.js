// TinySeg's own ESLint rules: the layer order of src/ and where Node's
// built-in modules may be imported. Folder-based: a file's stage is the first
// folder under src/, so files added inside a stage's folder need no change here.
import { builtinModules } from 'node:module';
import path from 'node:path';

/** The stages of src/, earliest first: a stage imports only earlier stages (and itself). */
export const STAGES = [
  'tflite',
  'graph',
  'ops',
  'analysis',
  'tflm',
  'transform',
  'memory',
  'interpreter',
  'runtime',
  'report',
  'optimize',
  'emit',
  'integrations',
];

/** Files directly in src/ that every stage may import; they import none of the stages. */
export const SHARED = ['errors.ts', 'defaults.ts'];

/** The public entry: may import anything, imported by no stage. */
export const ENTRY = 'index.ts';

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function isBuiltin(specifier) {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]);
}

/**
 * Where a path lies in src/: { kind: 'stage', stage, rank } | { kind: 'shared' } |
 * { kind: 'entry' } | { kind: 'other-root', name } | null (outside src/).
 */
function locate(file, srcDir) {
  const rel = path.relative(srcDir, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const parts = rel.split(path.sep);
  if (parts.length === 1) {
    const base = parts[0].replace(/\.(js|ts|mts|mjs|d\.ts)$/, '.ts');
    if (SHARED.includes(base)) return { kind: 'shared', name: base };
    if (base === ENTRY) return { kind: 'entry' };
    return { kind: 'other-root', name: parts[0] };
  }
  const rank = STAGES.indexOf(parts[0]);
  if (rank < 0) return { kind: 'unknown-stage', name: parts[0] };
  return { kind: 'stage', stage: parts[0], rank };
}

function describe(where) {
  switch (where.kind) {
    case 'stage':
      return `${where.stage} (stage ${where.rank + 1} of ${STAGES.length})`;
    case 'entry':
      return `src/${ENTRY} (the public entry)`;
    default:
      return `src/${where.name}`;
  }
}

/** Calls check(node, specifier) for every static or dynamic import/export of a string. */
function onImports(check) {
  const literal = (node, source) => {
    if (source && source.type === 'Literal' && typeof source.value === 'string') check(node, source.value);
  };
  return {
    ImportDeclaration: (node) => literal(node, node.source),
    ExportNamedDeclaration: (node) => literal(node, node.source),
    ExportAllDeclaration: (node) => literal(node, node.source),
    ImportExpression: (node) => literal(node, node.source),
    TSImportType: (node) => {
      // typescript-eslint 8: node.source is the string (older: node.argument, a TSLiteralType around it).
      if (node.source) literal(node, node.source);
      else if (node.argument?.type === 'TSLiteralType') literal(node, node.argument.literal);
    },
    TSExternalModuleReference: (node) => literal(node, node.expression),
  };
}

function srcDirOf(context, options) {
  return path.resolve(context.cwd, options.srcDir ?? 'src');
}

const layerOrder = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'A stage of src/ imports only earlier stages: ' + STAGES.join(' -> ') + '; src/errors.ts and src/defaults.ts from any stage.',
    },
    schema: [{ type: 'object', properties: { srcDir: { type: 'string' } }, additionalProperties: false }],
    messages: {
      backwards: '{{from}} must not import {{to}}: the layer order is ' + STAGES.join(' -> ') + '.',
      entry: '{{from}} must not import src/' + ENTRY + ': the public entry is for users, not for the stages.',
      sharedImportsStage: '{{from}} is shared by every stage and must not import {{to}}.',
      unknownLayer: '{{from}} is not in a known stage folder of src/ ({{stages}}); add it to lint/layers.js.',
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const srcDir = srcDirOf(context, options);
    const file = context.filename;
    const from = locate(file, srcDir);
    if (!from || from.kind === 'entry') return {};
    if (from.kind === 'other-root' || from.kind === 'unknown-stage') {
      return {
        Program(node) {
          context.report({ node, messageId: 'unknownLayer', data: { from: describe(from), stages: STAGES.join(', ') } });
        },
      };
    }
    return onImports((node, specifier) => {
      if (!specifier.startsWith('.')) return;
      const to = locate(path.resolve(path.dirname(file), specifier), srcDir);
      if (!to || to.kind === 'shared') return;
      if (to.kind === 'entry') {
        context.report({ node, messageId: 'entry', data: { from: describe(from) } });
        return;
      }
      if (from.kind === 'shared') {
        context.report({ node, messageId: 'sharedImportsStage', data: { from: describe(from), to: describe(to) } });
        return;
      }
      if (to.kind !== 'stage') return; // unknown targets are reported in their own file
      if (to.rank > from.rank) {
        context.report({ node, messageId: 'backwards', data: { from: describe(from), to: describe(to) } });
      }
    });
  },
};

const noNodeBuiltins = {
  meta: {
    type: 'problem',
    docs: {
      description:
        "Node's built-in modules (node:fs, fs, ...) only in the given stages (integrations) and in the listed files of the earlier ones.",
    },
    schema: [
      {
        type: 'object',
        properties: {
          srcDir: { type: 'string' },
          allowedStages: { type: 'array', items: { type: 'string' } },
          exceptions: {
            type: 'object',
            description: 'src-relative file path -> the built-in modules it may import',
            additionalProperties: { type: 'array', items: { type: 'string' } },
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      builtin:
        "{{file}} must not import '{{specifier}}': Node's built-ins belong in {{allowed}}. If it must, list it as an exception in eslint.config.js with the reason.",
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const srcDir = srcDirOf(context, options);
    const allowedStages = options.allowedStages ?? ['integrations'];
    const exceptions = options.exceptions ?? {};
    const rel = path.relative(srcDir, context.filename);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return {};
    const relPosix = rel.split(path.sep).join('/');
    if (relPosix === ENTRY) return {};
    if (allowedStages.includes(relPosix.split('/')[0])) return {};
    const allowedHere = new Set((exceptions[relPosix] ?? []).map((m) => m.replace(/^node:/, '')));
    return onImports((node, specifier) => {
      if (!isBuiltin(specifier)) return;
      if (allowedHere.has(specifier.replace(/^node:/, ''))) return;
      context.report({
        node,
        messageId: 'builtin',
        data: { file: `src/${relPosix}`, specifier, allowed: allowedStages.map((s) => `src/${s}/`).join(', ') },
      });
    });
  },
};

export default {
  meta: { name: 'tinyseg-layers' },
  rules: {
    'layer-order': layerOrder,
    'no-node-builtins': noNodeBuiltins,
  },
};
