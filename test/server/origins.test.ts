import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PublicOrigins } from '../../src/server/origins.js';

/** Which origins Tessera answers as: known host names, on the port it listens on. */
describe('PublicOrigins', () => {
  const origins = () => new PublicOrigins(8443, ['Tessera.Example.com']);
  const own = (url: string, o = origins()) => o.isOwn(new URL(url));

  it('defaults to localhost on the listening port, without :443', () => {
    assert.equal(origins().defaultOrigin, 'https://localhost:8443');
    assert.equal(new PublicOrigins(443).defaultOrigin, 'https://localhost');
  });

  it('follows setPort once the server listens on port 0', () => {
    const o = new PublicOrigins(0);
    o.setPort(50123);
    assert.equal(o.defaultOrigin, 'https://localhost:50123');
    assert.equal(own('https://localhost:50123/t/oauth2/v2.0/token', o), true);
    assert.equal(own('https://localhost:0/', o), false);
    assert.equal(o.fromHost('localhost:50123'), 'https://localhost:50123');
  });

  describe('isOwn', () => {
    it('accepts https on a known host name and the listening port', () => {
      for (const url of [
        'https://localhost:8443/tenant/oauth2/v2.0/token',
        'https://LOCALHOST:8443/',
        'https://127.0.0.1:8443/',
        'https://[::1]:8443/',
        'https://tessera.example.com:8443/',
      ]) {
        assert.equal(own(url), true, url);
      }
    });

    it('refuses another port, another host, or plain http', () => {
      for (const url of [
        'https://localhost:8444/',
        'https://localhost:1/',
        // No port is 443, which is not the listening port.
        'https://localhost/',
        'https://tessera.example.com/',
        'http://localhost:8443/',
        'https://login.microsoftonline.com:8443/',
        'https://localhost.evil.example:8443/',
        'https://127.0.0.2:8443/',
      ]) {
        assert.equal(own(url), false, url);
      }
    });

    it('treats no port as 443 when Tessera listens on 443', () => {
      const o = new PublicOrigins(443);
      assert.equal(own('https://localhost/', o), true);
      assert.equal(own('https://localhost:443/', o), true);
      assert.equal(own('https://localhost:8443/', o), false);
    });
  });

  describe('fromHost', () => {
    it('keeps a known host name on the listening port, lower-cased', () => {
      const o = origins();
      assert.equal(o.fromHost('localhost:8443'), 'https://localhost:8443');
      assert.equal(o.fromHost('LocalHost:8443'), 'https://localhost:8443');
      assert.equal(o.fromHost('127.0.0.1:8443'), 'https://127.0.0.1:8443');
      assert.equal(o.fromHost('[::1]:8443'), 'https://[::1]:8443');
      assert.equal(o.fromHost('TESSERA.example.com:8443'), 'https://tessera.example.com:8443');
    });

    it('falls back to https://localhost:<port> for a Host on another port', () => {
      const o = origins();
      for (const host of [
        'localhost:1',
        'localhost:8444',
        '127.0.0.1:1',
        'tessera.example.com:443',
        'localhost',
      ]) {
        assert.equal(o.fromHost(host), 'https://localhost:8443', host);
      }
    });

    it('falls back for unknown, missing or malformed Host headers', () => {
      const o = origins();
      for (const host of [
        undefined,
        '',
        'evil.example.com:8443',
        'localhost.evil.example:8443',
        'user:pass@localhost:8443',
        'localhost:8443/path',
        'local host:8443',
        'localhost:99999',
      ]) {
        assert.equal(o.fromHost(host), 'https://localhost:8443', String(host));
      }
    });

    it('leaves :443 out of the origin when Tessera listens on 443', () => {
      const o = new PublicOrigins(443, ['tessera.example.com']);
      assert.equal(o.fromHost('tessera.example.com'), 'https://tessera.example.com');
      assert.equal(o.fromHost('tessera.example.com:443'), 'https://tessera.example.com');
      assert.equal(o.fromHost('tessera.example.com:8443'), 'https://localhost');
    });
  });
});
