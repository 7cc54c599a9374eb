const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

/**
 * The certificate of a .cer/.crt/.pem file as Graph takes it: its DER bytes in base64. A PEM file
 * gives its first certificate block (a private key beside it never leaves the browser); anything
 * else is taken as DER, and Graph says whether it is a certificate.
 */
export async function certificateKeyOf(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const asText = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const pem = PEM_BLOCK.exec(asText);
  if (pem?.[1]) return pem[1].replace(/\s+/g, '');
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
