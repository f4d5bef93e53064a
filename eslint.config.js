import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// Layer arrows from ARCHITECTURE.md: each folder may import only the layers above it.
const forbid = (...groups) => ({
  'no-restricted-imports': ['error', { patterns: groups.map((g) => ({ group: g.group, message: g.message })) }],
});
const noReact = { group: ['react', 'react-dom', 'react-dom/*', 'recharts', 'zustand', 'zustand/*'], message: 'core/worker/cli are UI-free: no React, recharts or zustand.' };
const noUp = (dir, ...layers) => ({ group: layers.map((l) => `**/${l}/**`).concat(layers.map((l) => `../${l}`)), message: `${dir} may not import ${layers.join(', ')} (layer rule, ARCHITECTURE.md).` });

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'public', 'test-results', 'playwright-report', 'artifacts', '.gl', '.whl'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/core/**/*.ts'], rules: forbid(noReact, noUp('core', 'worker', 'state', 'ui', 'cli')) },
  { files: ['src/worker/**/*.ts'], rules: forbid(noReact, noUp('worker', 'state', 'ui', 'cli')) },
  { files: ['src/cli/**/*.ts'], rules: forbid(noReact, noUp('cli', 'worker', 'state', 'ui')) },
  { files: ['src/state/**/*.ts'], rules: forbid(noUp('state', 'ui', 'cli')) },
  { files: ['src/ui/**/*.{ts,tsx}'], rules: forbid(noUp('ui', 'cli')) },
  { files: ['src/**/*.tsx'], plugins: { 'react-hooks': reactHooks }, rules: reactHooks.configs.recommended.rules },
);
