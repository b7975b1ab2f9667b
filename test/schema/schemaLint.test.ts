/**
 * The schema lint: every type, field, argument, enum value and input field of every subgraph SDL is
 * described, and names follow GraphQL's conventions — with an empty baseline, so nothing is excused.
 * Also checks that the rules catch what they should on small SDLs, and that `npm run schema:lint`
 * exits 0.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repositoryRoot } from '../../subgraphs/kit/src';
import { issueKey, judgeLint, lintEstateSchemas, lintSdls, readLintBaseline } from '../../scripts/schema/schemaLint';

const HEADER = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\n';

describe('schema lint', () => {
  it('finds no gap in any subgraph SDL', () => {
    expect(lintEstateSchemas().map((issue) => `${issue.subgraph}: ${issue.message}`)).toEqual([]);
  });

  it('keeps the baseline of accepted gaps empty', () => {
    expect([...readLintBaseline()]).toEqual([]);
  });

  it('flags a missing, a too-short and a name-only description, and bad names', () => {
    const issues = lintSdls({
      shop: `${HEADER}
        "A shelf in a store, with what is on it."
        type Shelf {
          "Shelf"
          shelf: ID!
          "Short."
          label: String
          contents(first: Int): [String!]!
          Bad_Name: Int
        }
        enum ShelfKind { "Chilled goods." cold }
        type Query {
          "A shelf by its id, for the store staff."
          shelf(id: ID!): Shelf
        }`,
    });
    expect(issues.map(issueKey).sort()).toEqual(
      [
        'shop: description-missing: Query.shelf(id:)',
        'shop: description-missing: Shelf.Bad_Name',
        'shop: description-missing: Shelf.contents',
        'shop: description-missing: Shelf.contents(first:)',
        'shop: description-missing: ShelfKind',
        'shop: description-repeats-name: Shelf.shelf',
        'shop: description-too-short: Shelf.label',
        'shop: name-enum-value-upper-snake-case: ShelfKind.cold',
        'shop: name-field-camel-case: Shelf.Bad_Name',
      ].sort(),
    );
  });

  it('lets the owner describe a shared entity: other subgraphs need not repeat it', () => {
    const issues = lintSdls({
      owner: `${HEADER}
        "A customer, whichever channel they came through."
        type Customer @key(fields: "id") {
          "Stable id, e.g. cus_000001."
          id: ID!
        }`,
      extender: `${HEADER}
        type Customer @key(fields: "id") {
          id: ID!
          "Points the customer can spend now."
          points: Int!
        }`,
    });
    expect(issues).toEqual([]);
  });

  it('fails on a gap the baseline does not list, and on a listed gap that is gone', () => {
    const issues = lintSdls({ shop: `${HEADER} type Query { "Every shelf of the store." shelves: [Int!]! stock: Int }` });
    const verdict = judgeLint(issues, new Set(['shop: description-missing: Query.gone']));
    expect(verdict.fresh.map(issueKey)).toEqual(['shop: description-missing: Query.stock']);
    expect(verdict.fixed).toEqual(['shop: description-missing: Query.gone']);
  });

  it('passes as `npm run schema:lint`', () => {
    const cli = spawnSync(join(repositoryRoot(), 'node_modules', '.bin', 'tsx'), [join(repositoryRoot(), 'scripts', 'schema', 'lintSchemas.ts')], { encoding: 'utf8' });
    expect({ status: cli.status, stderr: cli.stderr }).toEqual({ status: 0, stderr: '' });
    expect(cli.stdout).toContain('Schema lint: 0 gap(s)');
  });
});
