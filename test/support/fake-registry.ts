import { createServer, Server } from 'http';
import { AddressInfo } from 'net';

/**
 * A loopback npm registry that serves one package's metadata (the packument: versions
 * and dist-tags), which is all `npm view <package> versions dist-tags` reads. For
 * publishing and installing, test/e2e runs verdaccio; the fleet commands only ask
 * what is published, and this answers in a millisecond.
 */
export class FakeRegistry {
  static async start(name: string, versions: string[], latest: string): Promise<FakeRegistry> {
    const registry = new FakeRegistry(name, versions, latest);
    await new Promise<void>((resolve, reject) => {
      registry.server.once('error', reject);
      registry.server.listen(0, '127.0.0.1', () => resolve());
    });
    return registry;
  }

  /** Paths requested, in order. */
  public readonly requests: string[] = [];
  private readonly server: Server;

  private constructor(public name: string, public versions: string[], public latest: string) {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent(req.url ?? '/');
      this.requests.push(path);
      if (req.method !== 'GET' || path !== `/${this.name}`) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'Not found' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.packument()));
    });
  }

  /** With a trailing slash, as npm configuration writes registries. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private packument() {
    const file = this.name.split('/').pop();
    return {
      '_id': this.name,
      'name': this.name,
      'dist-tags': { latest: this.latest },
      'versions': Object.fromEntries(this.versions.map(v => [v, {
        name: this.name,
        version: v,
        dist: { tarball: `${this.url}${this.name}/-/${file}-${v}.tgz`, shasum: '0'.repeat(40) },
      }])),
      'time': Object.fromEntries(this.versions.map((v, i) => [v, new Date(Date.UTC(2026, 0, 1 + i)).toISOString()])),
    };
  }
}
