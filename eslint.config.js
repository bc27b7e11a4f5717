// ESLint flat config: the recommended JavaScript rules, typescript-eslint's type-aware rules for all
// TypeScript, the Rules of Hooks for the Preact widget, and eslint-config-prettier last so that
// layout is Prettier's job alone (`prettier --check` runs next to eslint in `npm run lint`).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['dist/', 'coverage/', 'e2e/artifacts/', 'plugin/roundcube/']),

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // tsconfig.json covers the whole tree, so the project service builds one TypeScript program:
        // a full type-aware run takes about 35 s on 2 cores.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      // A disable that no longer disables anything is noise that hides the next real one.
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      // tsc already reports unused locals and parameters (noUnusedLocals/noUnusedParameters); keep
      // the lint rule for what tsc misses, with tsc's own `_` escape hatch.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Type-only imports are written `import type` (STYLE.md rule 11); verbatimModuleSyntax enforces
      // it at compile time, the lint rule fixes it automatically.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Express's Request and express-session's SessionData are typed by declaration merging into
      // their ambient namespaces (STYLE.md rule 7); a namespace of our own is still an error.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
      // `void promise` is how we mark a deliberate fire-and-forget (an effect's fetch, a timer).
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
    },
  },

  // The server, the CLIs, the stack scripts and the tests run on Node. shared/ gets no globals: both
  // sides import it, so it may use neither Node's nor the browser's.
  {
    files: ['server/**/*.ts', 'e2e/**/*.ts', 'plugin/scripts/**/*.ts', '*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  // The widget runs in the browser; the Rules of Hooks apply to its components and hooks (Preact's
  // hooks have React's rules).
  {
    files: ['plugin/**/*.{ts,tsx}'],
    ignores: ['plugin/scripts/**'],
    extends: [reactHooks.configs.flat.recommended],
    languageOptions: { globals: globals.browser },
  },
  // Browser tests run code in the page through Playwright's evaluate().
  {
    files: ['e2e/browser/**/*.ts', 'e2e/support/**/*.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  // Plain JavaScript (this file) is not in tsconfig.json: lint it without type information.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },

  prettier,
]);
