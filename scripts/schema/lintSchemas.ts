/**
 * `npm run schema:lint`: lints every subgraph SDL (descriptions and naming, see schemaLint.ts) against
 * the baseline of accepted gaps in schema/lint-baseline.json. Exits 1 on a gap the baseline does not
 * list, or on a baseline entry that was fixed but is still listed.
 *
 *   --update-baseline   drop fixed gaps from the baseline (it only shrinks; new gaps are never added)
 *   --accept-current    rewrite the baseline with every current gap — for the platform team when it
 *                       adopts the lint or merges concurrent work, never to silence a new gap
 *   --all               print every gap, accepted ones included
 */
import { writeFileSync } from 'node:fs';
import { LINT_BASELINE_FILE, formatLintBaseline, issueKey, judgeLint, lintEstateSchemas, readLintBaseline } from './schemaLint';

const out = (line: string) => process.stdout.write(`${line}\n`);
const args = new Set(process.argv.slice(2));
const issues = lintEstateSchemas();
const baseline = readLintBaseline();
const verdict = judgeLint(issues, baseline);

if (args.has('--accept-current')) {
  writeFileSync(LINT_BASELINE_FILE, formatLintBaseline(issues.map(issueKey)));
  out(`Wrote schema/lint-baseline.json with ${issues.length} accepted gap(s).`);
  process.exit(0);
}

if (args.has('--all')) for (const issue of verdict.accepted) out(`accepted  ${issue.subgraph}: ${issue.message}`);
for (const issue of verdict.fresh) out(`NEW       ${issue.subgraph}: ${issue.message}`);

if (args.has('--update-baseline') && verdict.fixed.length > 0) {
  writeFileSync(LINT_BASELINE_FILE, formatLintBaseline([...baseline].filter((key) => !verdict.fixed.includes(key))));
  out(`Removed ${verdict.fixed.length} fixed gap(s) from schema/lint-baseline.json.`);
  verdict.fixed = [];
}
for (const key of verdict.fixed) out(`FIXED     ${key} — still listed in the baseline`);

const bySubgraph = new Map<string, number>();
for (const issue of issues) bySubgraph.set(issue.subgraph, (bySubgraph.get(issue.subgraph) ?? 0) + 1);
out('');
out(`Schema lint: ${issues.length} gap(s) (${[...bySubgraph].map(([name, count]) => `${name} ${count}`).join(', ') || 'none'}); ${verdict.accepted.length} accepted by the baseline, ${verdict.fresh.length} new.`);
if (verdict.fresh.length > 0) out('New gaps fail: describe what each element is, its unit or format, and who may read it (or fix the name).');
if (verdict.fixed.length > 0) out('Gaps were fixed: run `npm run schema:lint -- --update-baseline` so they cannot come back.');
process.exit(verdict.fresh.length > 0 || verdict.fixed.length > 0 ? 1 : 0);
