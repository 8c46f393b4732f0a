import { readFileSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { join } from 'path';
import { registerFleetRoutes } from './fleet-routes';
import { registerSettingsRoutes } from './routes';
import { Schema, validate } from './schema';
import { FakeState, NotFound, Unprocessable } from './state';

/**
 * A loopback GitHub REST API: a real HTTP server on 127.0.0.1 with in-memory state,
 * implementing exactly the endpoints stage-project calls. Request bodies are checked
 * against the operation's schema from @octokit/openapi (see openapi-fixture.json), and
 * so are the fake's own responses, so neither side can drift from GitHub's shapes
 * without a test noticing. Routes are registered through {@link FakeGitHub.route}, so
 * a new command's endpoints are added next to its tests.
 */

export interface RecordedRequest {
  readonly method: string;
  /** The route template, e.g. `PUT /repos/{owner}/{repo}/environments/{environment_name}`. */
  readonly route: string;
  readonly path: string;
  readonly body: unknown;
  /** The status sent; `0` when the connection was dropped. */
  status: number;
  /** Set when a fault answered instead of the handler. */
  fault?: string;
}

export interface RouteRequest {
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: any;
  readonly headers: IncomingMessage['headers'];
  /** `http://127.0.0.1:port`, for URLs in responses. */
  readonly base: string;
}

export interface RouteResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export type RouteHandler = (req: RouteRequest, state: FakeState) => RouteResponse;

/** What a fault does to a matching request. */
export type FaultAction =
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  /** Closes the socket without an answer: before the handler runs, or after it changed the state. */
  | { readonly kind: 'drop'; readonly when: 'before' | 'after' };

export interface Fault {
  /** Matches `METHOD /template` exactly, or a method alone (`POST`), or every request when omitted. */
  readonly match?: string;
  /** Matching requests to let through before the fault starts. */
  readonly skip?: number;
  /** How many matching requests it answers. */
  readonly times: number;
  readonly action: FaultAction;
}

interface ActiveFault extends Fault {
  skipped: number;
  used: number;
}

interface CompiledRoute {
  readonly method: string;
  readonly template: string;
  readonly regex: RegExp;
  readonly names: string[];
  readonly handler: RouteHandler;
}

export interface FakeGitHubOptions {
  /** The only token accepted. */
  readonly token?: string;
  /** Caps `per_page`, so tests can force several pages with little data. */
  readonly maxPerPage?: number;
}

interface FixtureOperation { readonly requestBody: Schema | null; readonly responses: Record<string, Schema | null> }
// Read, not imported: the type TypeScript would infer for 60 kB of schemas is useless and slow.
const operations: Record<string, FixtureOperation> = JSON.parse(readFileSync(join(__dirname, 'openapi-fixture.json'), 'utf-8')).operations;

export class FakeGitHub {
  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const fake = new FakeGitHub(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    return fake;
  }

  public readonly state: FakeState;
  public readonly requests: RecordedRequest[] = [];
  /** Request bodies the schema rejected: a defect of the client under test. */
  public readonly invalidRequests: string[] = [];
  /** Responses of the fake that break the schema: a defect of the fake. */
  public readonly invalidResponses: string[] = [];
  public readonly token: string;
  private readonly server: Server;
  private readonly routes: CompiledRoute[] = [];
  private readonly faults: ActiveFault[] = [];

  private constructor(options: FakeGitHubOptions) {
    this.token = options.token ?? 'test-token';
    this.state = new FakeState(options.maxPerPage ?? 100);
    this.server = createServer((req, res) => this.handle(req, res));
    registerSettingsRoutes(this);
    registerFleetRoutes(this);
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Adds an endpoint. `template` uses OpenAPI's `{param}` syntax. */
  route(method: string, template: string, handler: RouteHandler): void {
    const names: string[] = [];
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name) => {
      names.push(name);
      // The contents API's `{path}` spans segments: GitHub takes `a/b` as well as `a%2Fb`.
      return name === 'path' ? '(.+)' : '([^/]+)';
    });
    this.routes.push({ method, template, regex: new RegExp(`^${pattern}$`), names, handler });
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault, skipped: 0, used: 0 });
  }

  /** Faults that have not yet answered as often as asked. */
  pendingFaults(): Fault[] {
    return this.faults.filter(f => f.used < f.times);
  }

  /** Requests that reached the server, optionally only one method or route. */
  count(match?: string): number {
    return this.requests.filter(r => matches(match, r.method, r.route)).length;
  }

  /** Every non-GET request received, answered or not. */
  writes(): RecordedRequest[] {
    return this.requests.filter(r => r.method !== 'GET' && r.method !== 'HEAD');
  }

  resetCounts(): void {
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this.url);
      const method = req.method ?? 'GET';
      const route = this.routes.find(r => r.method === method && r.regex.test(url.pathname));
      const template = route ? `${method} ${route.template}` : `${method} ${url.pathname}`;
      const text = Buffer.concat(chunks).toString('utf-8');
      let body: unknown = undefined;
      const record: RecordedRequest = { method, route: template, path: url.pathname, body: undefined, status: 0 };
      this.requests.push(record);
      const send = (r: RouteResponse) => {
        record.status = r.status;
        const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...r.headers };
        res.writeHead(r.status, headers);
        res.end(r.body === undefined ? '' : JSON.stringify(r.body));
      };
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        send({ status: 400, body: { message: 'Problems parsing JSON' } });
        return;
      }
      (record as { body: unknown }).body = body;

      const fault = this.faults.find(f => f.used < f.times && matches(f.match, method, template) && (f.skipped++ >= (f.skip ?? 0)));
      if (fault) {
        fault.used++;
        record.fault = fault.action.kind === 'drop' ? `drop-${fault.action.when}` : String(fault.action.status);
        if (fault.action.kind === 'status') {
          send({ status: fault.action.status, headers: fault.action.headers, body: fault.action.body ?? { message: 'fault injected' } });
          return;
        }
        if (fault.action.when === 'before') {
          req.socket.destroy();
          return;
        }
      }

      const auth = req.headers.authorization ?? '';
      if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}` && auth !== `bearer ${this.token}`) {
        send({ status: 401, body: { message: 'Bad credentials' } });
        return;
      }
      if (!route) {
        send({ status: 404, body: { message: `Not Found (the fake implements no ${template})` } });
        return;
      }
      const operation = operations[template];
      const bodySchema = operation?.requestBody;
      if (bodySchema && body !== undefined) {
        const errors = validate(bodySchema, body, 'body');
        if (errors.length > 0) {
          this.invalidRequests.push(`${template}: ${errors.join('; ')}`);
          send({ status: 422, body: { message: `Invalid request.\n\n${errors.join('\n')}` } });
          return;
        }
      }
      const match = route.regex.exec(url.pathname)!;
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match[i + 1])]));
      let response: RouteResponse;
      try {
        response = route.handler({ params, query: url.searchParams, body: body ?? {}, headers: req.headers, base: this.url }, this.state);
      } catch (error) {
        if (error instanceof NotFound) {
          response = { status: 404, body: { message: error.message, documentation_url: 'https://docs.github.com/rest' } };
        } else if (error instanceof Unprocessable) {
          response = { status: error.status, body: { message: error.message, errors: error.errors } };
        } else {
          response = { status: 500, body: { message: String(error) } };
        }
      }
      const responseSchema = operation?.responses[String(response.status)];
      if (responseSchema) {
        const errors = validate(responseSchema, response.body, 'response');
        if (errors.length > 0) {
          this.invalidResponses.push(`${template} ${response.status}: ${errors.join('; ')}`);
        }
      }
      if (fault?.action.kind === 'drop') {
        // The write landed; only the answer is lost, as when a proxy times out.
        record.status = 0;
        req.socket.destroy();
        return;
      }
      send(response);
    });
  }
}

function matches(match: string | undefined, method: string, template: string): boolean {
  if (!match) return true;
  return match.includes(' ') ? match === template : match === method;
}

/** 403 with the primary rate-limit headers, reset `resetSeconds` from now. */
export function primaryRateLimit(resetSeconds: number): FaultAction {
  return {
    kind: 'status',
    status: 403,
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetSeconds),
    },
    body: { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting' },
  };
}

/** 403 secondary rate limit with `retry-after`. */
export function secondaryRateLimit(retryAfterSeconds: number): FaultAction {
  return {
    kind: 'status',
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
  };
}
