// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Import boundaries (bulletproof-react): lib and shared -> features -> app. lib is plain
 * TypeScript (no React, no UI); a feature uses lib and shared but no other feature and not app;
 * app composes features. Crossing a top-level folder goes through the `@/` alias, so the rules
 * below can see it.
 */
const restrict = (patterns) => ['error', { patterns }];
const upAndOut = { group: ['../../*', '../../../*'], message: 'Import from another folder of src/ via "@/...".' };
const noApp = { group: ['@/app', '@/app/*'], message: 'Only app/ may import app/.' };
const noFeatures = { group: ['@/features', '@/features/*'], message: 'lib/ and shared/ must not import features.' };

const featureNames = ['auth', 'rooms', 'chat', 'presence'];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'Messages are text: never render HTML.',
        },
        { selector: "MemberExpression[property.name='innerHTML']", message: 'Never write HTML into the page.' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/lib/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        upAndOut,
        noApp,
        noFeatures,
        { group: ['@/shared', '@/shared/*'], message: 'lib/ stays free of UI code.' },
        { group: ['react', 'react-dom', 'react/*', 'react-dom/*'], message: 'lib/ stays free of UI code.' },
      ]),
    },
  },
  {
    files: ['src/shared/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': restrict([upAndOut, noApp, noFeatures]) },
  },
  ...featureNames.map((name) => ({
    files: [`src/features/${name}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': restrict([
        upAndOut,
        noApp,
        {
          group: featureNames.filter((other) => other !== name).flatMap((other) => [`@/features/${other}`, `@/features/${other}/*`]),
          message: 'Features do not import each other; compose them in app/.',
        },
      ]),
    },
  })),
  {
    files: ['src/app/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': restrict([upAndOut]) },
  },
  {
    files: ['e2e/**/*.ts', '*.config.{ts,js}'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
);
