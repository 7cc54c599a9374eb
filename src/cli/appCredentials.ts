import { randomInt } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Directory } from '../directory/directory.js';
import type { Application } from '../directory/model.js';
import { certificateThumbprints, createSelfSignedCertificate } from '../tls/clientCertificate.js';
import { UsageError } from './errors.js';
import { readValue } from './options.js';

export interface CredentialOptions {
  /** Keep the app's existing credentials of the same kind (az's `--append`). */
  append?: boolean;
  displayName?: string;
  years?: number;
  endDate?: Date;
  createCert?: boolean;
  /** PEM text, or `@file`. */
  cert?: string;
  certDir?: string;
}

/** The fields az prints about a new credential. */
export interface IssuedCredential {
  password: string | null;
  fileWithCertAndPrivateKey?: string;
}

// The subject az gives the certificates it creates.
const CERTIFICATE_SUBJECT = 'CLI-Login';
const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/;

/** Rejects contradictory options before anything is created. */
export function checkCredentialOptions(options: CredentialOptions): void {
  if (options.createCert && options.cert !== undefined) {
    throw new UsageError('usage error: --cert | --create-cert');
  }
  if (options.endDate && (options.createCert || options.cert !== undefined)) {
    throw new UsageError(
      '--end-date applies to passwords; a certificate is valid for --years or its own dates.',
    );
  }
  if (options.certDir !== undefined && !options.createCert) {
    throw new UsageError('--cert-dir can only be used with --create-cert.');
  }
}

/** Adds a password, a new self-signed certificate, or a given certificate to the application. */
export async function issueCredential(
  directory: Directory,
  app: Application,
  options: CredentialOptions,
): Promise<IssuedCredential> {
  checkCredentialOptions(options);
  if (options.createCert) return createCertificate(directory, app, options);
  if (options.cert !== undefined) {
    await registerCertificate(directory, app, await readValue(options.cert), options);
    return { password: null };
  }
  const { secretText } = await directory.credentials.addPassword(app, {
    displayName: options.displayName,
    years: options.years,
    endAt: options.endDate && Math.floor(options.endDate.getTime() / 1000),
    append: options.append,
  });
  return { password: secretText };
}

async function createCertificate(
  directory: Directory,
  app: Application,
  options: CredentialOptions,
): Promise<IssuedCredential> {
  const cert = await createSelfSignedCertificate(CERTIFICATE_SUBJECT, { years: options.years ?? 1 });
  // Written before registering, so a failed write leaves the app's credentials untouched.
  const file = await writeCertificateFile(
    options.certDir ?? homedir(),
    `${cert.privateKeyPem.trim()}\n${cert.certPem.trim()}\n`,
  );
  try {
    await registerCertificate(directory, app, cert.certPem, options);
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return { password: null, fileWithCertAndPrivateKey: file };
}

async function registerCertificate(
  directory: Directory,
  app: Application,
  pem: string,
  options: CredentialOptions,
): Promise<void> {
  // The validity is the certificate's own, and only the certificate is kept: a file that also
  // holds the private key (what --create-cert writes) must not put the key in the store.
  const thumbprints = certificateThumbprints(pem);
  const certificatePem = CERTIFICATE_BLOCK.exec(pem)?.[0] ?? pem;
  await directory.credentials.addCertificate(app, {
    certificatePem: `${certificatePem}\n`,
    thumbprintSha1: thumbprints.sha1Hex,
    thumbprintSha256: thumbprints.sha256Hex,
    startAt: Math.floor(thumbprints.notBefore.getTime() / 1000),
    endAt: Math.floor(thumbprints.notAfter.getTime() / 1000),
    displayName: options.displayName,
    append: options.append,
  });
}

const TEMP_NAME_CHARACTERS = 'abcdefghijklmnopqrstuvwxyz0123456789_';

/** Like az (Python's tempfile): `tmp<8 random characters>.pem`, readable by the owner only. */
async function writeCertificateFile(dir: string, contents: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let name = 'tmp';
  for (let i = 0; i < 8; i++) name += TEMP_NAME_CHARACTERS[randomInt(TEMP_NAME_CHARACTERS.length)];
  const file = path.resolve(dir, `${name}.pem`);
  await writeFile(file, contents, { mode: 0o600, flag: 'wx' });
  return file;
}
