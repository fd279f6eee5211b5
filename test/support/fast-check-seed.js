// Property tests draw from one seed per run, so a CI failure reproduces exactly: FC_SEED=<seed> npm test.
// Set FC_SEED=random to explore new values locally.
const fc = require('fast-check');

const seed = process.env.FC_SEED === 'random' ? Date.now() : Number(process.env.FC_SEED ?? 20261127);
fc.configureGlobal({ seed });
