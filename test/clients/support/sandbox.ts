import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's bundle of the system's trusted CAs (ca-certificates). */
const SYSTEM_CAS = '/etc/ssl/certs/ca-certificates.crt';

/**
 * A proxy nobody listens on (the discard port on loopback): a client that tries to reach any host
 * but localhost fails at once instead of leaving the machine.
 */
export const CLOSED_PROXY = 'http://127.0.0.1:9';

/**
 * A private home for out-of-process clients (az, Python): a temp folder as HOME, a CA bundle
 * that trusts the system CAs and the test run's CA, and an environment built from scratch, so
 * nothing from the developer's shell (AZURE_* variables, ~/.azure, a real proxy) leaks in.
 */
export interface ClientSandbox {
  dir: string;
  /** REQUESTS_CA_BUNDLE: the system CAs, then the test CA. */
  caBundle: string;
  /** A fresh folder inside the sandbox (an az config dir, for one signed-in identity). */
  folder(name: string): string;
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  remove(): void;
}

export function createClientSandbox(): ClientSandbox {
  const testCa = process.env.NODE_EXTRA_CA_CERTS;
  if (!testCa) throw new Error('NODE_EXTRA_CA_CERTS is not set: run the tests with `npm test`');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-clients-'));
  const caBundle = join(dir, 'ca-bundle.pem');
  // REQUESTS_CA_BUNDLE replaces Python's default bundle: keep the system CAs, add the test CA.
  writeFileSync(caBundle, `${withNewline(readFileSync(SYSTEM_CAS, 'utf8'))}${readFileSync(testCa, 'utf8')}`);
  const home = join(dir, 'home');
  mkdirSync(home);
  return {
    dir,
    caBundle,
    folder(name) {
      const path = join(dir, name);
      mkdirSync(path, { recursive: true });
      return path;
    },
    env(extra = {}) {
      return {
        PATH: '/usr/bin:/bin',
        HOME: home,
        TMPDIR: tmpdir(),
        LANG: 'C.UTF-8',
        LC_ALL: 'C.UTF-8',
        // Python: no user site-packages from the real home, unbuffered lines for the pipes.
        PYTHONNOUSERSITE: '1',
        PYTHONUNBUFFERED: '1',
        REQUESTS_CA_BUNDLE: caBundle,
        HTTPS_PROXY: CLOSED_PROXY,
        HTTP_PROXY: CLOSED_PROXY,
        https_proxy: CLOSED_PROXY,
        http_proxy: CLOSED_PROXY,
        ALL_PROXY: CLOSED_PROXY,
        all_proxy: CLOSED_PROXY,
        NO_PROXY: 'localhost,127.0.0.1',
        no_proxy: 'localhost,127.0.0.1',
        ...extra,
      };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const withNewline = (pem: string): string => (pem.endsWith('\n') ? pem : `${pem}\n`);
