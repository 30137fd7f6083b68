// Flat config: typescript-eslint with type information for the host code (tsconfig.json) and the webview
// (webview/tsconfig.json). Build scripts (*.mjs) get the plain recommended rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The few Node globals our build scripts use (the `globals` package is only a transitive dependency).
const NODE_GLOBALS = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'performance',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'AbortController',
    'fetch',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'media/dist/**',
      'node_modules/**',
      '.cache/**',
      '.vscode-test/**',
      'test/fixtures/workspace/**',
      'test/e2e/screenshots/**',
      'bench/.work/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Type-only namespace merging and `const enum` ids are part of the house style.
      '@typescript-eslint/no-namespace': 'off',
      // Warning level: placeholder subcommands and some shared code are async for the interface's sake.
      '@typescript-eslint/require-await': 'warn',
      '@typescript-eslint/no-unnecessary-type-assertion': 'warn',
      curly: ['error', 'multi-line'],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: NODE_GLOBALS, sourceType: 'module' },
  },
);
