#!/usr/bin/env node
/** `npm run capacity`: see planning/capacity-fit-cli.ts (`--nodes`). */
import { fitMain } from './capacity-fit-cli';

if (require.main === module) process.exitCode = fitMain(process.argv.slice(2));
