// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports the pure core must never reach for: it has no I/O. */
const impureModules = ['better-sqlite3', 'kysely', 'execa', 'rxjs', 'rxjs/*', 'node:*', '@grpc/*'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bin/', 'bench-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: impureModules, message: 'src/domain is pure: no I/O imports.' }] },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../store/*',
                '../runtime/*',
                '../services/*',
                '../daemon/*',
                'better-sqlite3',
                'kysely',
              ],
              message:
                'The CLI talks to the daemon through src/api only (admin commands excepted).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
