import type { FastifyRequest } from 'fastify';

/**
 * A value attached to one request, on the request object itself under a private symbol, so it
 * dies with the request. A WeakMap keyed by requests cost the management API dearly in garbage
 * collection: under the guard bench's load each young-generation scavenge took about 6 ms against
 * 1.5–3 ms with this (ephemeron entries of finished requests evidently outlive scavenges with all
 * they reference), about 5–8 µs a request.
 */
export class RequestSlot<T> {
  private readonly key: symbol;

  constructor(description: string) {
    this.key = Symbol(description);
  }

  get(request: FastifyRequest): T | undefined {
    return (request as unknown as Record<symbol, T | undefined>)[this.key];
  }

  set(request: FastifyRequest, value: T): void {
    (request as unknown as Record<symbol, T | undefined>)[this.key] = value;
  }
}
