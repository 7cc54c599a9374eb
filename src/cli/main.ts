#!/usr/bin/env node
// First: sizes libuv's thread pool before anything uses it.
import '../server/threadpool.js';
import { run } from './program.js';

// exitCode rather than exit(): lets stdout drain when it is a pipe.
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
