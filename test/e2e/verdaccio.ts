import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

/** A private npm registry (verdaccio 6.8.0) on 127.0.0.1 with throwaway storage, started and stopped by the test. */
export class LocalRegistry {
  public static async start(): Promise<LocalRegistry> {
    const dir = mkdtempSync(join(tmpdir(), 'stage-project-verdaccio-'));
    const port = await freePort();
    const config = join(dir, 'config.yaml');
    writeFileSync(config, [
      `storage: ${join(dir, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(dir, 'htpasswd')}`,
      '    max_users: 10',
      // No uplinks: only what the test publishes is served; everything else comes from the default registry.
      'uplinks: {}',
      'packages:',
      "  '@org/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      'log: { type: stdout, format: pretty, level: warn }',
      `listen: 127.0.0.1:${port}`,
      '',
    ].join('\n'));
    const bin = require.resolve('verdaccio/bin/verdaccio');
    const child = spawn(process.execPath, [bin, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', d => { output += d; });
    child.stderr!.on('data', d => { output += d; });
    const registry = new LocalRegistry(child, `http://127.0.0.1:${port}/`, dir);
    await registry.waitUntilUp(() => output);
    registry.token = await registry.addUser('stage-project-test', 'not-a-secret-0');
    return registry;
  }

  private token = '';

  private constructor(private readonly child: ChildProcess, public readonly url: string, public readonly dir: string) {}

  /** `.npmrc` lines that route the @org scope to this registry (and authenticate publishing). */
  public npmrc(withAuth = false): string {
    const host = this.url.replace(/^http:/, '');
    return [`@org:registry=${this.url}`, ...(withAuth ? [`${host}:_authToken=${this.token}`] : []), ''].join('\n');
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.child.pid === undefined) {
      return;
    }
    const exited = new Promise(resolve => this.child.once('exit', resolve));
    process.kill(this.child.pid, 'SIGTERM');
    await exited;
  }

  private async waitUntilUp(output: () => string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`verdaccio exited with ${this.child.exitCode}:\n${output()}`);
      }
      try {
        const res = await fetch(`${this.url}-/ping`);
        if (res.ok) {
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise(r => setTimeout(r, 200));
    }
    throw new Error(`verdaccio did not answer within 60 s:\n${output()}`);
  }

  private async addUser(name: string, password: string): Promise<string> {
    const res = await fetch(`${this.url}-/user/org.couchdb.user:${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    const body: any = await res.json();
    if (!res.ok || !body.token) {
      throw new Error(`verdaccio refused the test user: ${res.status} ${JSON.stringify(body)}`);
    }
    return body.token;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
