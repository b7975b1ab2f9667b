/**
 * What `npm run schema:check` compares with: the schema files at a git commit. Through the `git` CLI
 * (`git show <commit>:<path>`), which every clone has, rather than a git library.
 */
import { execFileSync } from 'node:child_process';

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

/** The commit the working tree is compared with, and why that one. */
export interface ComparisonBase {
  /** Full commit id. */
  commit: string;
  /** In words, for the report: "main (merge base 1a2b3c4)". */
  description: string;
}

/** The commit id of a ref, or undefined when it does not resolve. */
export function resolveCommit(root: string, ref: string): string | undefined {
  return git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])?.trim() || undefined;
}

/** The current branch, or undefined when detached. */
export function currentBranch(root: string): string | undefined {
  const name = git(root, ['rev-parse', '--abbrev-ref', 'HEAD'])?.trim();
  return name && name !== 'HEAD' ? name : undefined;
}

/** True when files under `path` differ from HEAD in the working tree or the index (untracked included). */
export function hasUncommittedChanges(root: string, path: string): boolean {
  return (git(root, ['status', '--porcelain', '--', path]) ?? '').trim() !== '';
}

/**
 * Picks the base (see README.md, "Schema governance"):
 * - a ref given: the merge base of that ref and HEAD (a branch is judged on its own changes, not on
 *   what landed on main since it forked), or the ref itself when they share no history;
 * - none, on a branch other than `main`: the merge base with `main`;
 * - none, on `main` (or detached) with uncommitted schema changes: HEAD, i.e. those changes;
 * - none, on `main` with a clean schema folder: HEAD~1, i.e. what the last commit changed (CI on main).
 */
export function chooseBase(root: string, ref?: string, mainBranch = 'main'): ComparisonBase {
  const short = (commit: string) => commit.slice(0, 7);
  const head = resolveCommit(root, 'HEAD');
  if (!head) throw new Error(`${root} is not a git repository with at least one commit`);
  const against = (target: string, label: string): ComparisonBase => {
    const commit = resolveCommit(root, target);
    if (!commit) throw new Error(`git cannot resolve ${JSON.stringify(target)}: pass a branch, tag or commit (e.g. npm run schema:check -- origin/main)`);
    const mergeBase = git(root, ['merge-base', commit, head])?.trim();
    if (mergeBase && mergeBase !== commit) return { commit: mergeBase, description: `${label} (merge base ${short(mergeBase)})` };
    return { commit, description: `${label} (${short(commit)})` };
  };
  if (ref) return against(ref, ref);
  const branch = currentBranch(root);
  if (branch !== mainBranch && resolveCommit(root, mainBranch)) return against(mainBranch, mainBranch);
  if (hasUncommittedChanges(root, 'schema')) return { commit: head, description: `HEAD (${short(head)}): the uncommitted schema changes` };
  const parent = resolveCommit(root, 'HEAD~1');
  if (parent) return { commit: parent, description: `HEAD~1 (${short(parent)}): what the last commit changed` };
  return { commit: head, description: `HEAD (${short(head)}): the only commit` };
}

/** A file's text at a commit, or undefined when it does not exist there. */
export function readFileAt(root: string, commit: string, path: string): string | undefined {
  return git(root, ['show', `${commit}:${path}`]);
}

/** Names of the files directly in `folder` at a commit (empty when the folder does not exist there). */
export function listFilesAt(root: string, commit: string, folder: string): string[] {
  const listing = git(root, ['ls-tree', '--name-only', `${commit}:${folder}`]);
  return listing ? listing.split('\n').filter((name) => name !== '') : [];
}
