/**
 * `npm run schema:check` on a throwaway git clone of the schema: a removed field is breaking, fails and
 * names the operations of `operations/` it breaks; an added field is safe and passes; a removed field
 * no operation uses passes once acknowledged with a reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { SUBGRAPH_NAMES, repositoryRoot } from '../../subgraphs/kit/src';
import { checkSchemaChanges } from '../../scripts/schema/schemaGovernance';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=schema-check-test', '-c', 'user.email=test@zocalo.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'pipe' });

describe('npm run schema:check', () => {
  let root: string;
  const originals = new Map<string, string>();

  /** Edits a file of the clone; afterEach puts it back. */
  const edit = (relative: string, change: (text: string) => string) => {
    const path = join(root, relative);
    const text = readFileSync(path, 'utf8');
    if (!originals.has(relative)) originals.set(relative, text);
    const changed = change(text);
    expect(changed).not.toBe(text);
    writeFileSync(path, changed);
  };
  const check = () => checkSchemaChanges({ root, subgraphs: SUBGRAPH_NAMES });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'zocalo-schema-check-'));
    cpSync(join(repositoryRoot(), 'schema'), join(root, 'schema'), { recursive: true });
    cpSync(join(repositoryRoot(), 'operations'), join(root, 'operations'), { recursive: true });
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'base');
  });

  afterEach(() => {
    for (const [relative, text] of originals) writeFileSync(join(root, relative), text);
    originals.clear();
    rmSync(join(root, 'schema', 'acknowledged-breaking-changes.json'), { force: true });
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('passes on an unchanged schema', () => {
    const result = check();
    expect(result.ok).toBe(true);
    expect(result.brokenOperations).toEqual([]);
    expect(result.schemas.every((verdict) => verdict.status === 'unchanged')).toBe(true);
  });

  it('fails on a removed field, naming the operations it breaks (the CLI exits 1)', () => {
    edit('schema/orders.graphql', (text) => text.replace(/\n[ \t]*"[^"\n]*"\n[ \t]*number: String!/, ''));
    const result = check();
    expect(result.ok).toBe(false);
    expect(result.unacknowledged).toEqual(
      expect.arrayContaining([
        { schema: 'orders', change: expect.objectContaining({ severity: 'breaking', description: 'Order.number was removed.' }) },
        { schema: 'supergraph', change: expect.objectContaining({ severity: 'breaking', description: 'Order.number was removed.' }) },
      ]),
    );
    const broken = result.brokenOperations.map((operation) => operation.path);
    expect(broken).toEqual(expect.arrayContaining(['operations/app/MyOrders.graphql', 'operations/whatsapp/OrderStatus.graphql', 'operations/pos/SellInStore.graphql']));
    expect(broken).not.toContain('operations/web/Catalogue.graphql');
    expect(result.brokenOperations.every((operation) => operation.brokenByChange && operation.errors.some((error) => error.includes('"number"')))).toBe(true);

    const cli = spawnSync(join(repositoryRoot(), 'node_modules', '.bin', 'tsx'), [join(repositoryRoot(), 'scripts', 'schemaCheck.ts'), '--root', root], { encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain('✖ breaking  Order.number was removed.');
    expect(cli.stdout).toContain('✖ operations/app/MyOrders.graphql');
    expect(cli.stdout).toContain('FAILED');
  });

  it('passes on an added field, reported as safe (the CLI exits 0)', () => {
    edit('schema/customers.graphql', (text) =>
      text.replace(/(type Customer @key\(fields: "id"\)[^{]*\{\n)/, '$1  "The name the customer likes to be greeted by at the till, if they gave one."\n  nickname: String\n'),
    );
    const result = check();
    expect(result.ok).toBe(true);
    const customers = result.schemas.find((verdict) => verdict.schema === 'customers');
    expect(customers?.changes).toEqual([{ severity: 'safe', type: 'FIELD_ADDED', description: 'Customer.nickname was added.' }]);
    expect(result.schemas.find((verdict) => verdict.schema === 'supergraph')?.changes).toEqual([
      { severity: 'safe', type: 'FIELD_ADDED', description: 'Customer.nickname was added.' },
    ]);

    const cli = spawnSync(join(repositoryRoot(), 'node_modules', '.bin', 'tsx'), [join(repositoryRoot(), 'scripts', 'schemaCheck.ts'), '--root', root], { encoding: 'utf8' });
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('✔ safe      Customer.nickname was added.');
    expect(cli.stdout).toContain('OK:');
  });

  it('passes on a removed field no operation uses once it is acknowledged with a reason', () => {
    edit('schema/inventory.graphql', (text) => text.replace(/\n[ \t]*"[^"\n]*"\n[ \t]*coordinates: Coordinates/, ''));
    const unacknowledged = check();
    expect(unacknowledged.ok).toBe(false);
    expect(unacknowledged.brokenOperations).toEqual([]);

    writeFileSync(
      join(root, 'schema', 'acknowledged-breaking-changes.json'),
      JSON.stringify({ acknowledged: [{ change: 'Location.coordinates was removed.', reason: 'No channel shows maps yet; announced to the web and app teams.' }] }),
    );
    const acknowledged = check();
    expect(acknowledged.unacknowledged).toEqual([]);
    expect(acknowledged.acknowledged.map((entry) => entry.schema).sort()).toEqual(['inventory', 'supergraph']);
    expect(acknowledged.ok).toBe(true);
  });

  it('names the subgraph whose change stops composition', () => {
    // A field returning a type nobody defines: the loyalty team's change alone breaks composition.
    edit('schema/loyalty.graphql', (text) => text.replace(/(type LoyaltyAccount[^{]*\{\n)/, '$1  "Where the card was printed, for the tests."\n  printedAt: PrintShop\n'));
    const result = check();
    expect(result.ok).toBe(false);
    const loyalty = result.schemas.find((verdict) => verdict.schema === 'loyalty');
    expect(loyalty?.compositionErrors.join('\n')).toContain('PrintShop');
    for (const verdict of result.schemas.filter((v) => v.schema !== 'loyalty' && v.schema !== 'supergraph')) expect(verdict.compositionErrors).toEqual([]);
  });
});
