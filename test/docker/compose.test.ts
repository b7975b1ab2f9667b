/**
 * docker-compose.yml cannot run on machines without a Docker engine, so this test keeps it honest
 * instead: every process of the estate is a service, every environment variable the code reads is
 * either set for the services or documented as optional in the README, and health checks exist.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { GATEWAY_NODE_FLAGS } from '../../gateway/src/nodeFlags';
import { SUBGRAPH_NAMES, repositoryRoot } from '../../subgraphs/kit/src';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const root = repositoryRoot();
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Every environment variable named in the production code (gateway, subgraphs, scripts). */
function variablesReadByCode(): Set<string> {
  const found = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) visit(path);
      else if (path.endsWith('.ts')) {
        const source = readFileSync(path, 'utf8');
        for (const match of source.matchAll(/\benv(?:ironment)?\.([A-Z][A-Z0-9_]{2,})\b/g)) found.add(match[1] as string);
        for (const match of source.matchAll(/\benv\[\s*'([A-Z][A-Z0-9_]{2,})'\s*\]/g)) found.add(match[1] as string);
        for (const match of source.matchAll(/\bread[A-Za-z]*\(\s*env\s*,\s*'([A-Z][A-Z0-9_]{2,})'/g)) found.add(match[1] as string);
      }
    }
  };
  for (const dir of ['gateway/src', 'subgraphs', 'scripts']) visit(join(root, dir));
  // The platform's own variables, read to find Java or pass Node options to child processes, not settings.
  for (const platform of ['PATH', 'JAVA_HOME', 'NODE_OPTIONS']) found.delete(platform);
  // <NAME>_URL is built from the subgraph name.
  for (const name of SUBGRAPH_NAMES) found.add(`${name.toUpperCase()}_URL`);
  return found;
}

describe('docker-compose.yml', () => {
  it('runs MongoDB 7, NATS, the five subgraphs and the gateway', () => {
    expect(compose.services.mongo?.image).toMatch(/^mongo:7/);
    expect(compose.services.nats?.image).toMatch(/^nats:/);
    expect(compose.services.nats?.command).toContain('-js');
    for (const name of [...SUBGRAPH_NAMES, 'gateway']) {
      const service = compose.services[name];
      expect(service).toBeDefined();
      expect(service?.healthcheck?.test.join(' ')).toContain('127.0.0.1');
      expect(service?.command?.join(' ')).toBe(name === 'gateway' ? `node ${GATEWAY_NODE_FLAGS.join(' ')} dist/gateway/src/index.js` : `node dist/subgraphs/${name}/src/index.js`);
    }
  });

  it('runs what the image compiles, and the image holds every folder read at run time', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const copied = [...dockerfile.matchAll(/^COPY (.+) \S+$/gm)].flatMap((match) => (match[1] ?? '').split(' '));
    // schema/ (SDL, supergraph), operations/ (trusted documents, playground examples), the sources and tsconfig for the build.
    for (const folder of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'schema', 'operations', 'subgraphs', 'gateway', 'scripts']) expect(copied).toContain(folder);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    // Each `node dist/<path>.js` command is the compiled form of a source file that exists.
    for (const [name, service] of Object.entries(compose.services)) {
      const command = service.command ?? [];
      if (command[0] !== 'node') continue;
      const script = command.find((part, index) => index > 0 && !part.startsWith('--')) ?? '';
      expect({ name, script }).toEqual({ name, script: expect.stringMatching(/^dist\/.+\.js$/) });
      expect(statSync(join(root, script.replace(/^dist\//, '').replace(/\.js$/, '.ts'))).isFile()).toBe(true);
    }
  });

  it('starts the gateway only after every subgraph is healthy', () => {
    const dependsOn = compose.services.gateway?.depends_on ?? {};
    for (const name of SUBGRAPH_NAMES) expect(dependsOn[name]?.condition).toBe('service_healthy');
  });

  it('gives each process the port it listens on and the database URI', () => {
    const ports: Record<string, string> = { gateway: '4000', customers: '4001', inventory: '4002', orders: '4003', loyalty: '4004', messaging: '4005' };
    for (const [name, port] of Object.entries(ports)) {
      expect(compose.services[name]?.environment?.PORT).toBe(port);
      expect(compose.services[name]?.environment?.MONGODB_URI).toBe('mongodb://mongo:27017');
      expect(compose.services[name]?.environment?.HOST).toBe('0.0.0.0');
    }
  });

  it('covers every environment variable the code reads: set in compose, or documented in the README', () => {
    const env = compose.services.gateway?.environment ?? {};
    const missing = [...variablesReadByCode()].filter((variable) => !(variable in env) && !readme.includes(`\`${variable}\``));
    expect(missing).toEqual([]);
  });

  it('documents in the README every variable it sets', () => {
    const variables = new Set(Object.values(compose.services).flatMap((service) => Object.keys(service.environment ?? {})));
    const undocumented = [...variables].filter((variable) => !readme.includes(`\`${variable}\``));
    expect(undocumented).toEqual([]);
  });
});
