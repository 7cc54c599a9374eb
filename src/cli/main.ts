// Run through tessera.cts, which sizes libuv's thread pool first.
import { run } from './program.js';

// exitCode rather than exit(): lets stdout drain when it is a pipe.
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
