/**
 * Which origins Tessera answers as. Issuers are built from the Host the client used, because
 * @azure/identity accepts an issuer only on the authority's own host; only known host names on
 * the listening port are honoured, so a forged Host header cannot mint issuers for another
 * authority (another name, or another Tessera on another port of the same machine).
 */
export class PublicOrigins {
  private readonly hostnames: Set<string>;
  /** Host header → origin: every request asks, and there are only a few distinct hosts. */
  private readonly byHost = new Map<string, string>();

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
    this.byHost.clear();
  }

  get defaultOrigin(): string {
    return this.originOf('localhost');
  }

  /** The origin for a request's Host header, or the default one for a host that is not ours. */
  fromHost(host: string | undefined): string {
    if (!host) return this.defaultOrigin;
    let origin = this.byHost.get(host);
    if (origin === undefined) {
      origin = this.resolveHost(host);
      // Hosts come from clients: bound the memo so made-up ones cannot grow it without end.
      if (this.byHost.size >= 1000) this.byHost.clear();
      this.byHost.set(host, origin);
    }
    return origin;
  }

  private resolveHost(host: string): string {
    if (!URL.canParse(`https://${host}`)) return this.defaultOrigin;
    const url = new URL(`https://${host}`);
    if (url.username || url.password || url.pathname !== '/' || !this.isOwn(url)) return this.defaultOrigin;
    return this.originOf(url.hostname.toLowerCase());
  }

  /** An https URL on one of Tessera's host names and on the port it listens on. */
  isOwn(url: URL): boolean {
    const port = url.port === '' ? 443 : Number(url.port);
    return url.protocol === 'https:' && port === this.port && this.hostnames.has(url.hostname.toLowerCase());
  }

  private originOf(hostname: string): string {
    return this.port === 443 ? `https://${hostname}` : `https://${hostname}:${this.port}`;
  }
}
