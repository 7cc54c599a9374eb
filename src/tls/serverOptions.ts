/**
 * TLS for every listener: 1.2 and 1.3 only, and on 1.2 only AEAD suites with forward secrecy
 * (TLS 1.3's suites are all AEAD). What Azure's front doors offer; every client Tessera is tested
 * with negotiates one of them.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export function tlsServerOptions(material: { key: string; cert: string }) {
  return {
    key: material.key,
    cert: material.cert,
    minVersion: 'TLSv1.2' as const,
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
  };
}
