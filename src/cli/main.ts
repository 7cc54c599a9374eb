// Run through tessera.cts, which sizes libuv's thread pool first.
import { restrictNewFiles } from '../store/fileModes.js';
import { run } from './program.js';

// What the CLI writes in the data folder (a new database, keys, blobs) is its owner's alone.
restrictNewFiles();

// exitCode rather than exit(): lets stdout drain when it is a pipe.
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
