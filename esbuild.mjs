// Builds the bundles (see TEAM.md "Bundles"):
//   src/extension.ts -> dist/extension.js   extension host, CommonJS, `vscode` external
//   src/cli/main.ts  -> dist/cli.js         the `quant-drift` bin
//   src/runner/main.ts -> dist/runner.js    child process hosting onnxruntime-node (external, never bundled)
//   src/core/models/inventory-worker.ts -> dist/inventory-worker.js   worker thread of the model inventory scans
//   webview/main.ts  -> media/dist/compare.js  browser IIFE, plus webview/*.css copied to media/dist/
// Flags: --production minifies and drops source maps, --watch rebuilds on change, --quiet skips the size report.
import * as esbuild from 'esbuild';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const quiet = process.argv.includes('--quiet');

/** Native and heavy packages that only the runner loads, from the extension folder's node_modules. */
const RUNNER_EXTERNALS = ['onnxruntime-node', 'onnxruntime-common'];

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  metafile: true,
  absWorkingDir: root,
};

// jsonc-parser's `main` is a UMD build whose inner require('./impl/...') esbuild cannot follow; prefer ESM entries.
const nodeCommon = { ...common, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'] };

/** Reports esbuild errors in the `file:line:col` form VS Code's $esbuild-watch problem matcher reads. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

/**
 * Libraries the host loads only on demand (`await import(...)`) go to their own bundle in dist/, so they are not
 * parsed at activation and do not count against the host bundle: the dynamic import becomes require('./NAME.js').
 */
const LAZY_LIBRARIES = { '@huggingface/hub': 'hub' };

const lazyLibrariesPlugin = {
  name: 'lazy-libraries',
  setup(build) {
    const filter = new RegExp(
      `^(${Object.keys(LAZY_LIBRARIES)
        .map((name) => name.replace('/', '\\/'))
        .join('|')})$`,
    );
    build.onResolve({ filter }, (args) =>
      args.kind === 'dynamic-import' ? { path: `./${LAZY_LIBRARIES[args.path]}.js`, external: true } : undefined,
    );
  },
};

function webviewCssEntries() {
  const dir = path.join(root, 'webview');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.css'))
    .map((name) => `webview/${name}`);
}

const builds = [
  {
    name: 'extension',
    options: {
      ...nodeCommon,
      entryPoints: ['src/extension.ts'],
      outfile: 'dist/extension.js',
      // `vscode` comes from the host; onnxruntime must never reach the host bundle (bench/activation checks).
      external: ['vscode', ...RUNNER_EXTERNALS],
      plugins: [lazyLibrariesPlugin],
    },
  },
  ...Object.entries(LAZY_LIBRARIES).map(([library, name]) => ({
    name,
    options: {
      ...nodeCommon,
      stdin: { contents: `export * from '${library}';`, resolveDir: root, loader: 'js' },
      outfile: `dist/${name}.js`,
    },
  })),
  {
    name: 'cli',
    options: {
      ...nodeCommon,
      entryPoints: ['src/cli/main.ts'],
      outfile: 'dist/cli.js',
      external: RUNNER_EXTERNALS,
      plugins: [lazyLibrariesPlugin],
      // esbuild keeps an entry point's own hashbang; add one only if the source has none.
      ...(hasHashbang('src/cli/main.ts') ? {} : { banner: { js: '#!/usr/bin/env node' } }),
    },
  },
  {
    name: 'runner',
    options: {
      ...nodeCommon,
      entryPoints: ['src/runner/main.ts'],
      outfile: 'dist/runner.js',
      external: RUNNER_EXTERNALS,
    },
  },
  {
    // The model-inventory worker thread (header reads off the extension host's thread).
    name: 'inventory-worker',
    options: {
      ...nodeCommon,
      entryPoints: ['src/core/models/inventory-worker.ts'],
      outfile: 'dist/inventory-worker.js',
    },
  },
  {
    name: 'webview',
    options: {
      ...common,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      entryPoints: { compare: 'webview/main.ts', ...cssEntryMap() },
      outdir: 'media/dist',
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
    },
  },
];

function cssEntryMap() {
  return Object.fromEntries(webviewCssEntries().map((file) => [path.basename(file, '.css'), file]));
}

function hasHashbang(file) {
  const text = readFileSyncSafe(path.join(root, file));
  return text.startsWith('#!');
}

function readFileSyncSafe(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function formatKb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** Prints each output's size and its three largest inputs, and writes dist/meta-NAME.json for bench/activation. */
function report(name, metafile) {
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  writeFileSync(path.join(root, 'dist', `meta-${name}.json`), JSON.stringify(metafile));
  if (quiet) return;
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    const top = Object.entries(output.inputs)
      .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
      .slice(0, 3)
      .map(([input, { bytesInOutput }]) => `${input} ${formatKb(bytesInOutput)}`)
      .join(', ');
    console.log(`${file.padEnd(28)} ${formatKb(output.bytes).padStart(10)}  (largest: ${top || 'none'})`);
  }
}

/** A production build writes no source maps; delete stale ones so they cannot be packaged. */
function removeStaleMaps() {
  for (const dir of ['dist', 'media/dist']) {
    const full = path.join(root, dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full)) if (name.endsWith('.map')) rmSync(path.join(full, name));
  }
}

async function main() {
  const started = performance.now();
  if (production) removeStaleMaps();
  if (watch) {
    const contexts = await Promise.all(
      builds.map(({ options }) =>
        esbuild.context({ ...options, plugins: [...(options.plugins ?? []), problemMatcherPlugin] }),
      ),
    );
    await Promise.all(contexts.map((context) => context.watch()));
    return;
  }
  const results = await Promise.all(
    builds.map(async ({ name, options }) => ({ name, result: await esbuild.build(options) })),
  );
  for (const { name, result } of results) report(name, result.metafile);
  chmodSync(path.join(root, 'dist/cli.js'), 0o755);
  if (!quiet) {
    const mode = production ? 'production' : 'development';
    console.log(`build: ${results.length} bundles (${mode}) in ${Math.round(performance.now() - started)} ms`);
  }
}

main().catch((error) => {
  // esbuild has already printed the diagnostics.
  if (!(error && Array.isArray(error.errors))) console.error(error);
  process.exit(1);
});
