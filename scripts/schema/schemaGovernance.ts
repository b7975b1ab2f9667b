/**
 * Schema governance: compares each subgraph SDL and the composed API schema of the working tree with
 * those at a base commit, and decides whether the change may merge.
 *
 * - Each subgraph's own schema is compared (its team's contract with the gateway and with the
 *   subgraphs that call it directly, e.g. `@inaccessible` service mutations).
 * - The API schema — what every channel frontend builds against — is compared from the composition of
 *   the base's SDLs to the composition of the working tree's.
 * - Each changed subgraph is also composed alone on top of the base, so a composition error or a new
 *   hint names the subgraph whose change caused it.
 *
 * - Every operation in `operations/` (the channel frontends' trusted documents) is validated against the
 *   new API schema: the report lists the ones the change breaks.
 *
 * A breaking change fails unless `schema/acknowledged-breaking-changes.json` (committed in the same
 * change, so the review sees it) lists it with a reason. A composition error always fails, and so does
 * an operation of `operations/` that no longer validates: acknowledging a change does not fix the
 * frontends that send it, so update the operation in the same change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseBase, listFilesAt, readFileAt, type ComparisonBase } from './gitBaseline';
import { composeSdls, readAcceptedHints, subgraphSchemaOf } from './estateComposition';
import { findBrokenOperations, readOperationDocuments, type BrokenOperation } from './operationImpact';
import { diffSchemas, type SchemaChange } from './schemaChanges';

/** The name the report gives the composed API schema. */
export const API_SCHEMA = 'supergraph';

/** One acknowledged breaking change. */
export interface Acknowledgement {
  /** The change's sentence exactly as the report prints it, e.g. `Customer.email was removed.` */
  change: string;
  /** Only in this schema (a subgraph name or `supergraph`); every schema when absent. */
  schema?: string;
  /** Why it is acceptable: who was told, what replaces it. */
  reason: string;
}

/** Options for {@link checkSchemaChanges}. */
export interface SchemaCheckOptions {
  /** The git working tree. */
  root: string;
  /** The subgraphs of the working tree (their SDLs are `schema/<name>.graphql`). */
  subgraphs: readonly string[];
  /** Git ref to compare with; see `chooseBase` for the default. */
  ref?: string;
  /** @default "main" */
  mainBranch?: string;
}

/** The verdict on one schema. */
export interface SchemaVerdict {
  /** A subgraph name, or {@link API_SCHEMA}. */
  schema: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged' | 'not compared';
  changes: SchemaChange[];
  /** Composition errors this subgraph's change causes on top of the base (or the estate's, for the API schema). */
  compositionErrors: string[];
  /** Hints not accepted in schema/accepted-hints.json that this change causes. */
  hints: string[];
  /** Why a schema was not compared. */
  note?: string;
}

/** The whole check. */
export interface SchemaCheckResult {
  base: ComparisonBase;
  schemas: SchemaVerdict[];
  /** Breaking changes without an acknowledgement: they fail. */
  unacknowledged: { schema: string; change: SchemaChange }[];
  /** Breaking changes with one. */
  acknowledged: { schema: string; change: SchemaChange; reason: string }[];
  /** Problems with the acknowledgements file itself. */
  acknowledgementErrors: string[];
  /** Operations of `operations/` that do not validate against the new API schema. */
  brokenOperations: BrokenOperation[];
  /** True when the change may merge. */
  ok: boolean;
}

/** Where acknowledgements live, relative to the root. */
export const ACKNOWLEDGEMENTS_PATH = 'schema/acknowledged-breaking-changes.json';

/** Reads and validates the acknowledgements file of a working tree. */
export function readAcknowledgements(root: string): { acknowledgements: Acknowledgement[]; errors: string[] } {
  const path = join(root, ACKNOWLEDGEMENTS_PATH);
  if (!existsSync(path)) return { acknowledgements: [], errors: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { acknowledgements: [], errors: [`${ACKNOWLEDGEMENTS_PATH} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const list = (parsed as { acknowledged?: unknown }).acknowledged;
  if (!Array.isArray(list)) return { acknowledgements: [], errors: [`${ACKNOWLEDGEMENTS_PATH} must be { "acknowledged": [ { "change", "reason", "schema"? } ] }`] };
  const acknowledgements: Acknowledgement[] = [];
  const errors: string[] = [];
  list.forEach((entry: unknown, index) => {
    const { change, reason, schema } = (entry ?? {}) as Record<string, unknown>;
    if (typeof change !== 'string' || change.trim() === '') errors.push(`${ACKNOWLEDGEMENTS_PATH} entry ${index}: "change" must be the change's sentence`);
    else if (typeof reason !== 'string' || reason.trim().length < 10) errors.push(`${ACKNOWLEDGEMENTS_PATH} entry ${index} (${change}): "reason" must say why (10 characters at least)`);
    else if (schema !== undefined && typeof schema !== 'string') errors.push(`${ACKNOWLEDGEMENTS_PATH} entry ${index} (${change}): "schema" must be a subgraph name or "supergraph"`);
    else acknowledgements.push({ change, reason, ...(typeof schema === 'string' ? { schema } : {}) });
  });
  return { acknowledgements, errors };
}

const subgraphPath = (name: string) => `schema/${name}.graphql`;
const FEDERATION_LINK = /@link\(\s*url:\s*"https:\/\/specs\.apollo\.dev\/federation\//;

/** Runs the check (see module comment). */
export function checkSchemaChanges(options: SchemaCheckOptions): SchemaCheckResult {
  const { root } = options;
  const base = chooseBase(root, options.ref, options.mainBranch);
  const acceptedHints = readAcceptedHints(join(root, 'schema', 'accepted-hints.json'));

  const baseNames = listFilesAt(root, base.commit, 'schema')
    .filter((file) => file.endsWith('.graphql') && file !== 'supergraph.graphql')
    .map((file) => file.replace(/\.graphql$/, ''));
  const before: Record<string, string> = {};
  for (const name of baseNames) {
    const sdl = readFileAt(root, base.commit, subgraphPath(name));
    // schema/ also holds shared SDL that is not a subgraph (e.g. directive definitions copied into each
    // subgraph): a subgraph's SDL is the one that links the federation spec.
    if (sdl !== undefined && FEDERATION_LINK.test(sdl)) before[name] = sdl;
  }
  const after: Record<string, string> = {};
  for (const name of options.subgraphs) {
    const path = join(root, subgraphPath(name));
    if (existsSync(path)) after[name] = readFileSync(path, 'utf8');
  }

  const baseComposition = composeSdls(before, acceptedHints);
  const baseErrors = new Set(baseComposition.errors);
  const baseHints = new Set(baseComposition.unacceptedHints);
  const composition = composeSdls(after, acceptedHints);
  // Only when the whole working tree brings new errors or hints is it worth composing each change alone
  // to find whose they are (a composition takes about a second).
  const attribute = composition.errors.some((error) => !baseErrors.has(error)) || composition.unacceptedHints.some((hint) => !baseHints.has(hint));
  const schemas: SchemaVerdict[] = [];

  for (const name of [...new Set([...Object.keys(before), ...options.subgraphs])]) {
    const old = before[name];
    const current = after[name];
    if (current === undefined && old === undefined) continue;
    if (current === undefined) {
      schemas.push({ schema: name, status: 'removed', changes: [{ severity: 'breaking', type: 'SUBGRAPH_REMOVED', description: `Subgraph ${name} was removed.` }], compositionErrors: [], hints: [] });
      continue;
    }
    if (old === current) {
      schemas.push({ schema: name, status: 'unchanged', changes: [], compositionErrors: [], hints: [] });
      continue;
    }
    // This subgraph's change alone on top of the base: what it breaks in composition is its own doing.
    const alone = attribute ? composeSdls({ ...before, [name]: current }, acceptedHints) : undefined;
    const compositionErrors = alone ? alone.errors.filter((error) => !baseErrors.has(error)) : [];
    const hints = alone ? alone.unacceptedHints.filter((hint) => !baseHints.has(hint)) : [];
    if (old === undefined) {
      schemas.push({ schema: name, status: 'added', changes: [{ severity: 'safe', type: 'SUBGRAPH_ADDED', description: `Subgraph ${name} was added.` }], compositionErrors, hints });
      continue;
    }
    let changes: SchemaChange[];
    try {
      changes = diffSchemas(subgraphSchemaOf(old), subgraphSchemaOf(current));
    } catch (error) {
      schemas.push({ schema: name, status: 'not compared', changes: [], compositionErrors, hints, note: `cannot build its schema: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    schemas.push({ schema: name, status: changes.length > 0 ? 'changed' : 'unchanged', changes, compositionErrors, hints });
  }

  if (composition.apiSchema && baseComposition.apiSchema) {
    const changes = diffSchemas(baseComposition.apiSchema, composition.apiSchema);
    schemas.push({ schema: API_SCHEMA, status: changes.length > 0 ? 'changed' : 'unchanged', changes, compositionErrors: [], hints: composition.unacceptedHints });
  } else {
    schemas.push({
      schema: API_SCHEMA,
      status: 'not compared',
      changes: [],
      compositionErrors: composition.errors,
      hints: composition.unacceptedHints,
      note: composition.apiSchema ? 'the base does not compose, so there is no API schema to compare with' : 'the working tree does not compose',
    });
  }

  const { acknowledgements, errors: acknowledgementErrors } = readAcknowledgements(root);
  const unacknowledged: SchemaCheckResult['unacknowledged'] = [];
  const acknowledged: SchemaCheckResult['acknowledged'] = [];
  for (const verdict of schemas) {
    for (const change of verdict.changes.filter((c) => c.severity === 'breaking')) {
      const match = acknowledgements.find((a) => a.change.trim() === change.description && (a.schema === undefined || a.schema === verdict.schema));
      if (match) acknowledged.push({ schema: verdict.schema, change, reason: match.reason });
      else unacknowledged.push({ schema: verdict.schema, change });
    }
  }
  const brokenOperations = composition.apiSchema ? findBrokenOperations(baseComposition.apiSchema, composition.apiSchema, readOperationDocuments(root)) : [];
  const compositionFails = composition.errors.length > 0 || schemas.some((s) => s.compositionErrors.length > 0);
  return {
    base,
    schemas,
    unacknowledged,
    acknowledged,
    acknowledgementErrors,
    brokenOperations,
    ok: unacknowledged.length === 0 && !compositionFails && acknowledgementErrors.length === 0 && brokenOperations.length === 0,
  };
}

/** The report `npm run schema:check` prints. */
export function formatSchemaCheck(result: SchemaCheckResult): string {
  const lines: string[] = [`Schema check: the working tree against ${result.base.description}`, ''];
  const mark = { breaking: '✖ breaking ', dangerous: '⚠ dangerous', safe: '✔ safe     ' } as const;
  for (const verdict of result.schemas) {
    lines.push(`${verdict.schema === API_SCHEMA ? 'supergraph (API schema)' : `subgraph ${verdict.schema}`}: ${verdict.status}${verdict.note ? ` — ${verdict.note}` : ''}`);
    // Descriptions change often and harm no client: one line for all of them keeps the rest readable.
    const described = verdict.changes.filter((change) => change.type === 'DESCRIPTION_CHANGED');
    if (described.length > 0) {
      const names = described.map((change) => change.description.replace(/^The description of (.*) changed\.$/, '$1'));
      lines.push(`  ${mark.safe} ${described.length} description(s) changed: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`);
    }
    for (const change of verdict.changes.filter((c) => c.type !== 'DESCRIPTION_CHANGED')) {
      const ack = change.severity === 'breaking' ? result.acknowledged.find((a) => a.schema === verdict.schema && a.change === change) : undefined;
      lines.push(`  ${mark[change.severity]} ${change.description}${ack ? `  (acknowledged: ${ack.reason})` : ''}`);
    }
    for (const error of verdict.compositionErrors) lines.push(`  ✖ composition error: ${error}`);
    for (const hint of verdict.hints) lines.push(`  ⚠ composition hint: ${hint}`);
  }
  lines.push('');
  if (result.brokenOperations.length > 0) {
    lines.push(`Operations in operations/ that no longer validate (${result.brokenOperations.length}) — the channel frontends send exactly these:`);
    for (const operation of result.brokenOperations) {
      lines.push(`  ✖ ${operation.path}${operation.brokenByChange ? '' : ' (already invalid at the base, or new)'}`);
      for (const error of operation.errors) lines.push(`      ${error}`);
    }
    lines.push('Update these operations in the same change (and the frontends that ship them), or keep the schema elements they use.');
    lines.push('');
  }
  for (const error of result.acknowledgementErrors) lines.push(`✖ ${error}`);
  if (result.unacknowledged.length > 0) {
    lines.push(`${result.unacknowledged.length} breaking change(s) not acknowledged. Clients that use these break. Either keep the old element (deprecate it with @deprecated(reason: "…") and remove it later), or acknowledge it in ${ACKNOWLEDGEMENTS_PATH}:`);
    lines.push(
      JSON.stringify(
        { acknowledged: [...new Set(result.unacknowledged.map(({ change }) => change.description))].map((change) => ({ change, reason: 'Who was told, and what replaces it' })) },
        null,
        2,
      ),
    );
  }
  lines.push(result.ok ? 'OK: no unacknowledged breaking change, the estate composes, and every operation in operations/ validates.' : 'FAILED: see above.');
  return `${lines.join('\n')}\n`;
}
