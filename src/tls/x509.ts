/**
 * The one entry point to @peculiar/x509 in this module: import `x509` from here, never from the
 * package directly, so reflect-metadata is loaded before the library loads and the library
 * always signs through Node's WebCrypto.
 */
// tsyringe, under @peculiar/x509, needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto);

export { x509 };
