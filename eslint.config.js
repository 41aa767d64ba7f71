import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * An action imports only from its own folder and from actions/common (and the test support);
 * never from another action, whose code may change under it. Imports are relative, so a path that
 * climbs out of the action (`../../<other>/src/...`, at any depth) and lands in an action folder
 * other than common is refused. Tools for people (tools/<name>) share the same rule.
 */
const CROSS_ACTION = {
  regex: '^(\\.\\./)+(?!common/)[a-z0-9-]+/(src|test|dist)/',
  message:
    'An action imports only from its own folder and from actions/common. Move what both need to actions/common (or ask its owner to).',
};
const TOOL_TO_ACTION = {
  regex: '(^|/)actions/(?!common/)[a-z0-9-]+/',
  message: 'A tool imports only from its own folder and from actions/common.',
};
/**
 * @actions/core's entry point brings its OIDC client (http-client, undici) into the bundle, some
 * 480 KB: the actions use actions/common/src/core.ts, the same commands on its own modules.
 */
const CORE_ENTRY = {
  name: '@actions/core',
  message:
    "Use actions/common/src/core.ts (import * as core from '../../common/src/core.js'): the same functions without the 480 KB of @actions/core's OIDC client.",
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      'example-app/frontend/dist/**',
      'example-app/backend/build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    files: ['actions/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [CROSS_ACTION] }] },
  },
  {
    files: ['tools/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [TOOL_TO_ACTION] }] },
  },
  {
    // The sources whose owners moved to common/src/core.ts (the others are asked to follow).
    files: [
      'actions/common/src/*.ts',
      'actions/provision-stack/src/**/*.ts',
      'actions/publish-frontend/src/**/*.ts',
    ],
    ignores: ['actions/common/src/core.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [CORE_ENTRY], patterns: [CROSS_ACTION] }],
    },
  },
);
