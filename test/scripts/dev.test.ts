/**
 * `npm run dev`'s watch mode, proved without touching tracked files: the watch loop runs on a
 * temporary copy of the repository's folders (the five SDLs and their accepted hints, plus stand-in
 * source files), with a restart callback that records what it is asked, and a real gateway, built
 * in-process, serving the supergraph file the loop writes. Saving a subgraph's code restarts only
 * that subgraph; saving an SDL recomposes and the same gateway answers the new field (hot reload, no
 * restart); a composition error is printed, nothing is written, and the gateway keeps the last good
 * supergraph. The pieces under it — the plan table, the batching watcher, composing from a folder —
 * are tested on their own first.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readGatewayConfig } from '../../gateway/src/config';
import { buildGateway, type GatewayServer } from '../../gateway/src/server';
import { composeSupergraph } from '../../scripts/composeSupergraph';
import { planChanges, type EstateProcessName } from '../../scripts/dev/devPlan';
import { startDevWatch, type DevWatch } from '../../scripts/dev/devWatch';
import { recompose, writeSupergraphFile } from '../../scripts/dev/recomposition';
import { watchSources } from '../../scripts/dev/sourceWatcher';
import { SUBGRAPH_NAMES, createLogger, schemaPath } from '../../subgraphs/kit/src';
import { execute, testAuth } from '../support/testkit';

/** Waits (bounded) until `done` holds. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not reached');
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A temporary folder with the SDLs (and accepted hints) of `schema/` copied into `<folder>/schema`. */
function temporaryRepository(): string {
  const folder = mkdtempSync(join(tmpdir(), 'zocalo-dev-'));
  mkdirSync(join(folder, 'schema'));
  for (const file of readdirSync(schemaPath('.'))) {
    if (statSync(schemaPath(file)).isFile()) copyFileSync(schemaPath(file), join(folder, 'schema', file));
  }
  return folder;
}

/** Writes `text` to `<root>/<file>`, creating folders. */
function save(root: string, file: string, text: string): void {
  mkdirSync(join(root, file, '..'), { recursive: true });
  writeFileSync(join(root, file), text);
}

/** Saves as `sed -i`, vim and safe-write editors do: a new file renamed over `<root>/<file>`. */
function replace(root: string, file: string, text: string): void {
  writeFileSync(join(root, `${file}.tmp`), text);
  renameSync(join(root, `${file}.tmp`), join(root, file));
}

/** Adds a field to inventory's `Product` (an SDL change a team would make). */
const withProbeField = (sdl: string) => sdl.replace('type Product @key(fields: "sku") @public {\n', 'type Product @key(fields: "sku") @public {\n  "A field added while `npm run dev` runs."\n  devProbe: String\n');

describe('dev mode: what a changed file means', () => {
  const root = '/repo';
  const plan = (...files: string[]) => planChanges(root, files.map((file) => `${root}/${file}`));

  it('restarts only the subgraph whose code changed', () => {
    expect(plan('subgraphs/orders/src/resolvers/Order.ts')).toMatchObject({ restart: ['orders'], schemas: [], recompose: false });
  });

  it('recomposes on an SDL change and restarts that subgraph only once it composes', () => {
    expect(plan('schema/inventory.graphql')).toMatchObject({ restart: [], schemas: ['inventory'], recompose: true });
    expect(plan('schema/accepted-hints.json')).toMatchObject({ restart: [], schemas: [], recompose: true });
  });

  it('restarts the gateway for its code and for operations, everything for the kit', () => {
    expect(plan('gateway/src/plugins/cors.ts').restart).toEqual(['gateway']);
    expect(plan('operations/pos/Customer360.graphql').restart).toEqual(['gateway']);
    expect(plan('subgraphs/kit/src/errors.ts').restart).toEqual([...SUBGRAPH_NAMES, 'gateway']);
  });

  it('merges a batch, in estate order, and ignores what is not source', () => {
    const merged = plan('subgraphs/messaging/src/a.ts', 'gateway/src/b.ts', 'subgraphs/customers/src/c.ts', 'schema/orders.graphql');
    expect(merged).toMatchObject({ restart: ['customers', 'messaging', 'gateway'], schemas: ['orders'], recompose: true });
    const noise = plan(
      'subgraphs/orders/src/.Order.ts.swp',
      'subgraphs/orders/src/Order.ts~',
      'subgraphs/orders/src/4913',
      'subgraphs/orders/README.md',
      'schema/supergraph.graphql',
      'schema/supergraph.graphql.123.next',
      'schema/authorization.graphql',
    );
    expect(noise).toEqual({ restart: [], schemas: [], recompose: false, files: [] });
  });
});

describe('dev mode: the source watcher', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'zocalo-watch-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('hands over one batch per burst of saves, including folders created after it started', async () => {
    mkdirSync(join(folder, 'src'));
    const batches: string[][] = [];
    const watcher = watchSources({ directories: [join(folder, 'src'), join(folder, 'absent')], debounceMs: 100, onChanges: (paths) => batches.push(paths) });
    try {
      await pause(50);
      writeFileSync(join(folder, 'src', 'a.ts'), '1');
      writeFileSync(join(folder, 'src', 'a.ts'), '2');
      mkdirSync(join(folder, 'src', 'nested', 'deeper'), { recursive: true });
      await pause(150);
      writeFileSync(join(folder, 'src', 'nested', 'deeper', 'b.ts'), '1');
      await until(() => batches.flat().includes(join(folder, 'src', 'nested', 'deeper', 'b.ts')));
      expect(batches[0]).toContain(join(folder, 'src', 'a.ts'));
      expect(batches[0]?.filter((path) => path === join(folder, 'src', 'a.ts'))).toHaveLength(1);
    } finally {
      watcher.close();
    }
    const seen = batches.length;
    writeFileSync(join(folder, 'src', 'a.ts'), '3');
    await pause(300);
    expect(batches).toHaveLength(seen);
  });

  it('keeps seeing a file that an editor replaced by renaming a new one into place', async () => {
    const file = join(folder, 'src', 'replaced.graphql');
    writeFileSync(file, 'type Query { a: Int }');
    const batches: string[][] = [];
    const watcher = watchSources({ directories: [join(folder, 'src')], debounceMs: 50, onChanges: (paths) => batches.push(paths) });
    try {
      await pause(50);
      // What `sed -i`, vim and safe-write editors do: a new file (a new inode) renamed over the old one.
      writeFileSync(`${file}.tmp`, 'type Query { b: Int }');
      renameSync(`${file}.tmp`, file);
      await until(() => batches.flat().includes(file));
      batches.length = 0;
      writeFileSync(file, 'type Query { c: Int }');
      await until(() => batches.flat().includes(file));
      // A folder deleted and created again is watched again.
      rmSync(join(folder, 'src', 'nested'), { recursive: true });
      await pause(150);
      batches.length = 0;
      mkdirSync(join(folder, 'src', 'nested'));
      await pause(150);
      writeFileSync(join(folder, 'src', 'nested', 'c.ts'), '1');
      await until(() => batches.flat().includes(join(folder, 'src', 'nested', 'c.ts')));
    } finally {
      watcher.close();
    }
  });

  it('stops reporting once closed', async () => {
    const batches: string[][] = [];
    const watcher = watchSources({ directories: [join(folder, 'src')], debounceMs: 50, onChanges: (paths) => batches.push(paths) });
    watcher.close();
    writeFileSync(join(folder, 'src', 'a.ts'), '4');
    await pause(300);
    expect(batches).toEqual([]);
  });
});

describe('dev mode: composing from a folder', () => {
  let folder: string;
  beforeAll(() => {
    folder = temporaryRepository();
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('composes a copy of schema/ into exactly the checked-in supergraph', () => {
    const lines: string[] = [];
    expect(recompose(join(folder, 'schema'), (line) => lines.push(line))).toBe(composeSupergraph().supergraphSdl);
    expect(lines).toEqual([]);
  });

  it('reports a broken SDL by file, without throwing', () => {
    save(folder, 'schema/loyalty.graphql', 'type Query { broken(: String }');
    const lines: string[] = [];
    expect(recompose(join(folder, 'schema'), (line) => lines.push(line))).toBeNull();
    expect(lines.join('\n')).toMatch(/composition failed[\s\S]*schema\/loyalty\.graphql: Syntax Error: .*\(line 1, column 21\)/);
  });

  it('writes the supergraph file only when it changes, never leaving a partial file beside it', () => {
    const file = join(folder, 'served.graphql');
    expect(writeSupergraphFile(file, 'one')).toBe(true);
    expect(writeSupergraphFile(file, 'one')).toBe(false);
    expect(writeSupergraphFile(file, 'two')).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(folder).filter((name) => name.startsWith('served'))).toEqual(['served.graphql']);
  });
});

describe('dev mode: the watch loop with a real gateway on the supergraph it writes', () => {
  let root: string;
  let supergraphPath: string;
  let gateway: GatewayServer;
  let url: string;
  let watch: DevWatch;
  const restarts: EstateProcessName[][] = [];
  const lines: string[] = [];
  const originalCustomers = readFileSync(schemaPath('customers.graphql'), 'utf8');
  const originalInventory = readFileSync(schemaPath('inventory.graphql'), 'utf8');

  /** The field names of `Product` the gateway serves right now. */
  const productFields = async () => {
    const response = await execute<{ __type: { fields: { name: string }[] } }>(url, '{ __type(name: "Product") { fields { name } } }');
    return (response.data?.__type.fields ?? []).map((field) => field.name);
  };
  /** Saves, then waits until the loop has acted on it and is quiet again. */
  const saveAndSettle = async (file: string, text: string, settled: () => boolean, write = save) => {
    write(root, file, text);
    await until(settled);
    await pause(400);
  };

  beforeAll(async () => {
    root = temporaryRepository();
    supergraphPath = join(root, 'schema', 'supergraph.graphql');
    for (const file of ['subgraphs/orders/src/Order.ts', 'subgraphs/customers/src/Customer.ts', 'subgraphs/kit/src/errors.ts', 'gateway/src/server.ts']) save(root, file, '// stand-in\n');
    const config = { ...readGatewayConfig({ PORT: '0', SUPERGRAPH_PATH: supergraphPath }), auth: testAuth };
    gateway = buildGateway({ config, logger: createLogger('gateway', 'silent') });
    url = await gateway.start();
    watch = startDevWatch({
      root,
      supergraphPath,
      debounceMs: 100,
      say: (line) => lines.push(line),
      restart: async (names) => {
        restarts.push([...names]);
      },
    });
    await pause(200);
  }, 60_000);

  afterAll(async () => {
    await watch?.close();
    await gateway?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("restarts only the subgraph whose code was saved; an editor's swap file restarts nothing", async () => {
    save(root, 'subgraphs/orders/src/.Order.ts.swp', 'swap');
    await saveAndSettle('subgraphs/orders/src/Order.ts', '// edited\n', () => restarts.length >= 1);
    expect(restarts).toEqual([['orders']]);
  });

  it('restarts the gateway for its code, and every process for the kit', async () => {
    restarts.length = 0;
    await saveAndSettle('gateway/src/server.ts', '// edited\n', () => restarts.length >= 1);
    expect(restarts).toEqual([['gateway']]);
    restarts.length = 0;
    await saveAndSettle('subgraphs/kit/src/errors.ts', '// edited\n', () => restarts.length >= 2);
    expect(restarts).toEqual([[...SUBGRAPH_NAMES], ['gateway']]);
  });

  it('recomposes on an SDL save, restarts that subgraph, and the running gateway serves the new field', async () => {
    restarts.length = 0;
    expect(await productFields()).not.toContain('devProbe');
    await saveAndSettle('schema/inventory.graphql', withProbeField(originalInventory), () => restarts.length >= 1);
    expect(restarts).toEqual([['inventory']]);
    expect(readFileSync(supergraphPath, 'utf8')).toContain('devProbe: String');
    await until(async () => (await productFields()).includes('devProbe'));
    expect(lines.some((line) => line.includes('supergraph recomposed'))).toBe(true);
  });

  it('prints a composition error, writes nothing, and the gateway keeps the last good supergraph', async () => {
    restarts.length = 0;
    lines.length = 0;
    const lastGood = readFileSync(supergraphPath, 'utf8');
    // The key of an entity inventory owns, typed differently in customers' stub: composition refuses it.
    const conflicting = originalCustomers.replace(/(type Product @key\(fields: "sku", resolvable: false\) \{[^}]*?sku: )ID!/, '$1Int!');
    expect(conflicting).not.toBe(originalCustomers);
    await saveAndSettle('schema/customers.graphql', conflicting, () => lines.some((line) => line.includes('composition failed')), replace);
    expect(lines.join('\n')).toMatch(/composition failed[\s\S]*Product\.sku/);
    expect(readFileSync(supergraphPath, 'utf8')).toBe(lastGood);
    expect(restarts).toEqual([]);
    expect(await productFields()).toContain('devProbe');

    // Customers is held on its last good SDL, even for a code change, until the estate composes again.
    await saveAndSettle('subgraphs/customers/src/Customer.ts', '// edited\n', () => lines.some((line) => line.includes('last good SDL')));
    expect(restarts).toEqual([]);

    await saveAndSettle('schema/customers.graphql', originalCustomers, () => restarts.length >= 1);
    expect(restarts).toEqual([['customers']]);
    expect(readFileSync(supergraphPath, 'utf8')).toBe(lastGood);
    expect(lines.some((line) => line.includes('supergraph unchanged'))).toBe(true);
  });
});
