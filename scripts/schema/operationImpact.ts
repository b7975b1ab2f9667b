/**
 * Which of the repository's operations a schema change breaks: every `operations/<client>/<name>.graphql`
 * (the channel frontends' trusted documents and the playground's examples) is validated against the API
 * schema after the change, and those that fail against the base too. One that does not validate after the
 * change fails the check whatever the change's severity says — production runs exactly these documents —
 * and the report says whether the change broke it or it was already broken (or is new).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, validate, type GraphQLSchema } from 'graphql';

/** One operation file. */
export interface OperationDocument {
  /** Repository-relative path, e.g. `operations/pos/Customer360.graphql`. */
  path: string;
  text: string;
}

/** An operation that does not validate against the changed schema, with why. */
export interface BrokenOperation {
  path: string;
  /** graphql-js validation messages against the changed schema. */
  errors: string[];
  /** True when it validated against the base: this change broke it (else it is new or was already broken). */
  brokenByChange: boolean;
}

/** Reads `operations/<client>/*.graphql` under `root`; none when the folder does not exist. */
export function readOperationDocuments(root: string): OperationDocument[] {
  const folder = join(root, 'operations');
  if (!existsSync(folder)) return [];
  const documents: OperationDocument[] = [];
  for (const client of readdirSync(folder).sort()) {
    if (!statSync(join(folder, client)).isDirectory()) continue;
    for (const file of readdirSync(join(folder, client)).sort()) {
      if (file.endsWith('.graphql')) documents.push({ path: `operations/${client}/${file}`, text: readFileSync(join(folder, client, file), 'utf8') });
    }
  }
  return documents;
}

function validationErrors(schema: GraphQLSchema, text: string): string[] {
  try {
    return validate(schema, parse(text)).map((error) => error.message);
  } catch (error) {
    return [`does not parse: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/**
 * Operations that do not validate against `after`; `before` (absent when the base does not compose)
 * tells which of them this change broke.
 */
export function findBrokenOperations(before: GraphQLSchema | undefined, after: GraphQLSchema, documents: readonly OperationDocument[]): BrokenOperation[] {
  const broken: BrokenOperation[] = [];
  for (const document of documents) {
    const errors = validationErrors(after, document.text);
    if (errors.length === 0) continue;
    broken.push({ path: document.path, errors, brokenByChange: before !== undefined && validationErrors(before, document.text).length === 0 });
  }
  return broken;
}
