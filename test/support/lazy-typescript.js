// @pulumi/pulumi requires TypeScript (9 MB) as it loads, to serialize functions into closures, which no test does:
// that was about 0.2 s of compiling in every test file that imports Pulumi (Jest gives each file its own modules).
// Mapped in for `typescript` (jest.config.js): the real module loads on first use, by its file's own path (under
// Jest, `require.resolve('typescript')` maps back to this module).
const file = require.resolve('typescript/lib/typescript.js');
let ts;
const real = () => (ts ??= require(file));

module.exports = new Proxy(
  {},
  {
    get: (_, key) => real()[key],
    has: (_, key) => key in real(),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Object.getOwnPropertyDescriptor(real(), key);
      return d && { ...d, configurable: true };
    },
  },
);
