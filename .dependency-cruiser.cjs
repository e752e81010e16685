/**
 * The import rule checked in CI (test/lint/imports.test.ts): a module of src/ imports another one
 * only through its entry point, src/<module>/index.ts. The embedded cluster is a family of
 * sub-modules (client, node, lab, apiserver, controllers, store), each with its own entry point,
 * so the agent can load the API client without the API server.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-deep-cross-module-import',
      severity: 'error',
      comment: 'import another module of src/ through its entry point (src/<module>/index.ts, or src/cluster/<sub>/index.ts)',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.[jt]s$', '^src/cluster/[^/]+/index\\.[jt]s$', '^src/[^/]+\\.[jt]s$'] },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
  },
};
