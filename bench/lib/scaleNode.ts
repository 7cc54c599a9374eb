import type { BenchNodeOptions } from './benchTessera.js';

/** How bench/scaleServer.ts learns which node to be (JSON ScaleNodeSpec), from bench/scale.ts. */
export const SCALE_NODE_ENV = 'TESSERA_BENCH_SCALE_NODE';

export interface ScaleNodeSpec {
  role: 'first' | 'join';
  node: BenchNodeOptions;
}

export interface ScaleHandshake {
  pid: number;
  /** The node's loopback address and port; `https://localhost:<port>` is every node's origin. */
  host: string;
  port: number;
  caCertPath: string;
  /** Only from the `first` node: what the loads need. */
  setup?: {
    origin: string;
    tenantId: string;
    clientId: string;
    secret: string;
    /** The store's data plane listens on a port of its own, on every node. */
    storePort: number;
    readKey: string;
  };
}
