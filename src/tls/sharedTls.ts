/**
 * TLS material shared by the nodes on one database. Behind a load balancer every node must serve
 * a certificate its clients trust, for the same names: the CA and the server certificate live in
 * the store (keys sealed), and each node serves what it finds there instead of issuing its own.
 * The data folder keeps a copy of both, so `ca.pem` is the one to trust on every node.
 */
import {
  PRIVATE_FILE_MODE,
  PUBLIC_FILE_MODE,
  ensurePrivateDirectory,
  readOptionalFile,
  writeFileAtomic,
} from './files.js';
import {
  certificateNames,
  isServerCertificateUsable,
  issueServerCertificate,
  loadOrCreateCa,
  requiredNames,
  tlsPaths,
  validateCa,
} from './certificateAuthority.js';
import type {
  CaMaterial,
  EnsureTlsMaterialOptions,
  RequiredNames,
  TlsMaterial,
  TlsPaths,
} from './certificateAuthority.js';

export interface TlsPair {
  certPem: string;
  keyPem: string;
}

export type SharedTlsName = 'ca' | 'server';

/** Where the shared material is kept (tlsMaterialStore.ts: the database, keys sealed). */
export interface SharedTlsStore {
  read(name: SharedTlsName): Promise<TlsPair | undefined>;
  write(name: SharedTlsName, pair: TlsPair): Promise<void>;
}

const SHARED_CA = { caCert: "the database's shared CA certificate", caKey: "the database's shared CA key" };

/**
 * The CA and server certificate this node serves. The first node stores its data folder's CA (the
 * one it was seeded with, or a new one) and a server certificate; later nodes take both. A node
 * whose `extraHostnames` the stored certificate lacks (or that finds it near expiry) issues one
 * for every name the stored one had plus its own and stores that: the names one node needs are
 * never taken from another. Nodes already running serve the certificate they loaded until they
 * restart, so give every node the same `--hostname`s. Run under the start-up lock.
 */
export async function ensureSharedTlsMaterial(
  dataDir: string,
  store: SharedTlsStore,
  opts: EnsureTlsMaterialOptions = {},
): Promise<TlsMaterial> {
  const paths = tlsPaths(dataDir);
  const ca = await sharedCa(dataDir, store);
  const wanted = requiredNames(opts.extraHostnames ?? []);
  const stored = await store.read('server');
  let server: TlsPair;
  if (stored && isServerCertificateUsable(stored.certPem, stored.keyPem, ca, wanted)) server = stored;
  else {
    const names = stored ? union(wanted, namesOrNone(stored.certPem)) : wanted;
    server = await issueServerCertificate(ca, names);
    await store.write('server', server);
  }
  await keepFolderCopy(paths, server);
  return {
    caCertPath: paths.caCert,
    caCertPem: ca.certPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
  };
}

/**
 * The folder keeps what this node serves, as on SQLite (`tls/server.pem`, `server-key.pem`): for
 * a proxy or a pinning client that reads it there. The database stays the source.
 */
async function keepFolderCopy(paths: TlsPaths, server: TlsPair): Promise<void> {
  if ((await readOptionalFile(paths.serverCert)) === server.certPem) return;
  await writeFileAtomic(paths.serverKey, server.keyPem, PRIVATE_FILE_MODE);
  await writeFileAtomic(paths.serverCert, server.certPem, PUBLIC_FILE_MODE);
}

/**
 * The CA the nodes on the database share, copied into `dataDir` (made and stored when the
 * database has none yet); refused when the folder already trusts another. Run under the start-up
 * lock.
 */
export async function sharedCa(dataDir: string, store: SharedTlsStore): Promise<CaMaterial> {
  const paths = tlsPaths(dataDir);
  await ensurePrivateDirectory(paths.dir);
  const stored = await store.read('ca');
  if (!stored) {
    const ca = await loadOrCreateCa(paths);
    await store.write('ca', { certPem: ca.certPem, keyPem: ca.keyPem });
    return ca;
  }
  const ca = validateCa(SHARED_CA, stored.certPem, stored.keyPem);
  const local = await readOptionalFile(paths.caCert);
  if (local === undefined) {
    // Key first, as the folder's own CA is written: the certificate marks the CA complete.
    await writeFileAtomic(paths.caKey, ca.keyPem, PRIVATE_FILE_MODE);
    await writeFileAtomic(paths.caCert, ca.certPem, PUBLIC_FILE_MODE);
  } else if (!samePem(local, ca.certPem)) {
    // Clients of this node may trust the folder's CA; serving another's would break them unannounced.
    throw new Error(
      `the data folder's CA ${paths.caCert} is not the CA the nodes on this database share; ` +
        `move ${paths.caCert} and ${paths.caKey} away to take the shared one (clients must then ` +
        'trust the shared CA), or start this node with another database',
    );
  }
  return ca;
}

const samePem = (a: string, b: string): boolean => a.trim() === b.trim();

function namesOrNone(certPem: string): RequiredNames {
  try {
    return certificateNames(certPem);
  } catch {
    return { dnsNames: [], ipAddresses: [] };
  }
}

const union = (a: RequiredNames, b: RequiredNames): RequiredNames => ({
  dnsNames: [...new Set([...a.dnsNames, ...b.dnsNames])],
  ipAddresses: [...new Set([...a.ipAddresses, ...b.ipAddresses])],
});
