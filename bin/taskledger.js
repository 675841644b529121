#!/usr/bin/env node
// The CLI runs from the compiled output (npm run build): loading TypeScript at run time would cost
// more start-up than the whole command.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
