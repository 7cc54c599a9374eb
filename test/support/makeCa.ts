import { ensureTlsMaterial } from '../../src/tls/certificateAuthority.js';

// Creates the run's CA (and a server certificate nobody uses) in the folder given.
const dir = process.argv[2];
if (!dir) throw new Error('usage: makeCa.ts <dir>');
await ensureTlsMaterial(dir);
