#!/usr/bin/env node
import { processEffects } from './effects.js';
import { main } from './index.js';

const code = await main(process.argv.slice(2), processEffects);
process.exit(code);
