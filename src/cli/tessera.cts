#!/usr/bin/env node
// The `tessera` command. CommonJS so that it sizes libuv's thread pool before the ES modules load
// (see server/threadpool.cts); everything else is in main.ts.
import threadpool = require('../server/threadpool.cjs');

threadpool.sizeThreadPool();
void import('./main.js');
