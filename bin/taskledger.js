#!/usr/bin/env node
// The CLI runs from the bundle scripts/build.sh makes (setup.sh runs it): loading TypeScript, or
// hundreds of ESM files, at run time would cost more start-up than the whole command.
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
