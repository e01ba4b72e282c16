/**
 * The import rules of docs/ARCHITECTURE.md, checked by `npm run lint`:
 * contracts imports nothing internal; catalog imports contracts; core imports contracts and catalog;
 * db imports core (its interfaces) and contracts; apps import what they need; web imports contracts only.
 * test-kit serves tests only.
 */
const pkg = (name) => `^(packages|apps)/${name}/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'contracts-imports-nothing-internal',
      comment: 'contracts are shared by server, web, cli and sdk: no internal imports, no Node APIs',
      severity: 'error',
      from: { path: pkg('contracts') },
      to: { path: '^(packages|apps)/', pathNot: pkg('contracts') },
    },
    {
      name: 'contracts-no-node-apis',
      severity: 'error',
      from: { path: pkg('contracts') },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'catalog-imports-contracts-only',
      severity: 'error',
      from: { path: pkg('catalog') },
      to: { path: '^(packages|apps)/', pathNot: [pkg('catalog'), pkg('contracts')] },
    },
    {
      name: 'core-imports-contracts-and-catalog-only',
      comment: 'core is pure domain logic: no Fastify, no React, no SQL driver',
      severity: 'error',
      from: { path: pkg('core'), pathNot: '\\.test\\.ts$' },
      to: { path: '^(packages|apps)/', pathNot: [pkg('core'), pkg('contracts'), pkg('catalog')] },
    },
    {
      name: 'core-no-frameworks-or-drivers',
      severity: 'error',
      from: { path: pkg('core') },
      to: { path: 'node_modules/(fastify|@fastify|react|kysely|pg|better-sqlite3)/' },
    },
    {
      name: 'db-imports-core-and-contracts-only',
      severity: 'error',
      from: { path: pkg('db'), pathNot: '\\.test\\.ts$' },
      to: { path: '^(packages|apps)/', pathNot: [pkg('db'), pkg('core'), pkg('contracts')] },
    },
    {
      name: 'packages-never-import-apps',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'web-never-imports-core-or-db',
      severity: 'error',
      from: { path: pkg('web') },
      to: { path: [pkg('core'), pkg('db')] },
    },
    {
      name: 'web-imports-contracts-only',
      comment: 'the console talks to the server only through the contract schemas: no other workspace package',
      severity: 'error',
      from: { path: pkg('web') },
      to: { path: '^(packages|apps)/', pathNot: [pkg('web'), pkg('contracts')] },
    },
    {
      name: 'test-kit-only-in-tests',
      severity: 'error',
      from: { path: '^(packages|apps)/', pathNot: ['\\.test\\.ts$', '/test/', '^packages/test-kit/', '/testing/'] },
      to: { path: pkg('test-kit') },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(apps|packages)/[^/]+/(dist|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js'],
    },
    combinedDependencies: false,
    preserveSymlinks: false,
  },
};
