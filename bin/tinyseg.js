#!/usr/bin/env node
import { runCli } from '../dist/integrations/cli.js';

process.exitCode = runCli(process.argv.slice(2));
