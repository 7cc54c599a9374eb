/**
 * Which origins Tessera answers as. Issuers are built from the Host the client used, because
 * @azure/identity accepts an issuer only on the authority's own host; only known host names
 * are honoured so a forged Host header cannot mint issuers for somebody else's name.
 */
export class PublicOrigins {
  private readonly hostnames: Set<string>;

  constructor(
    private port: number,
    extraHostnames: readonly string[] = [],
  ) {
    this.hostnames = new Set([
      'localhost',
      '127.0.0.1',
      '[::1]',
      ...extraHostnames.map((h) => h.toLowerCase()),
    ]);
  }

  /** Known once the server listens (tests bind port 0). */
  setPort(port: number): void {
    this.port = port;
  }

  get defaultOrigin(): string {
    return this.port === 443 ? 'https://localhost' : `https://localhost:${this.port}`;
  }

  /** The origin for a request's Host header, or the default one for an unknown host. */
  fromHost(host: string | undefined): string {
    if (!host) return this.defaultOrigin;
    const parsed = parseHost(host);
    if (!parsed || !this.hostnames.has(parsed.hostname)) return this.defaultOrigin;
    return `https://${parsed.hostname}${parsed.port && parsed.port !== '443' ? `:${parsed.port}` : ''}`;
  }

  isOwn(url: URL): boolean {
    return url.protocol === 'https:' && this.hostnames.has(url.hostname.toLowerCase());
  }
}

function parseHost(host: string): { hostname: string; port: string } | undefined {
  try {
    const url = new URL(`https://${host}`);
    if (url.username || url.password || url.pathname !== '/') return undefined;
    return { hostname: url.hostname.toLowerCase(), port: url.port };
  } catch {
    return undefined;
  }
}
