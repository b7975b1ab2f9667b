/**
 * Claiming identities: the first half of every write that links an identity. The claim is an insert
 * into `identities` with `_id: "<KIND>:<value>"`; E11000 means someone holds it already, and the
 * caller gets a CONFLICT that names the kind (never the holder: that would tell a stranger who owns a
 * phone number). The customer document is written afterwards; if that write fails, the claims made
 * for it are released, so nothing is left half-written.
 *
 * A process that dies between claim and customer write leaves an orphan claim. It is reclaimed when
 * someone else wants the identity and the holder has no customer document after a minute (or was
 * erased, whose claims are deleted right after the erasure write).
 */
import { ConflictError } from '../../../kit/src';
import type { CustomersRepositories } from '../context';
import { identityKeyOf, type NormalisedIdentity } from '../domain/identityNormalisation';
import type { IdentityDocument } from '../repositories/identityRepository';

/** How old a claim without a customer must be before it counts as an orphan (a register in flight is younger). */
export const ORPHAN_CLAIM_AGE_MS = 60_000;

/** An identity to claim and the argument it came from (for the CONFLICT's `field`). */
export interface IdentityToClaim {
  identity: NormalisedIdentity;
  field: string;
}

/** True when the claim's holder never got (or no longer has) a customer record. */
async function isOrphan(repositories: CustomersRepositories, claim: IdentityDocument): Promise<boolean> {
  const [holder] = await repositories.customers.findByIds([claim.customerId]);
  if (!holder) return Date.now() - claim.claimedAt.getTime() > ORPHAN_CLAIM_AGE_MS;
  return holder.erasedAt !== undefined;
}

/**
 * Claims one identity for `customerId`: `'inserted'` when this call made the claim, `'held'` when the
 * customer already held it; CONFLICT when someone else does.
 */
export async function claimIdentity(repositories: CustomersRepositories, customerId: string, { identity, field }: IdentityToClaim): Promise<'inserted' | 'held'> {
  const key = identityKeyOf(identity);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const claim: IdentityDocument = { _id: key, kind: identity.kind, customerId, claimedAt: new Date() };
    if ((await repositories.identities.tryInsert(claim)) === 'inserted') return 'inserted';
    const holder = await repositories.identities.findByKey(key);
    if (!holder) continue; // released between our insert and our read: try again
    if (holder.customerId === customerId) return 'held';
    if (!(await isOrphan(repositories, holder))) break;
    await repositories.identities.deleteHeldBy([key], holder.customerId);
  }
  throw new ConflictError(`This ${identity.kind} already belongs to another customer`, { kind: identity.kind, field });
}

/**
 * Claims several identities in order; if one fails, releases the ones this call inserted and rethrows.
 * @returns the keys this call inserted (release them if the customer write fails).
 */
export async function claimIdentities(repositories: CustomersRepositories, customerId: string, identities: readonly IdentityToClaim[]): Promise<string[]> {
  const inserted: string[] = [];
  try {
    for (const toClaim of identities) {
      if ((await claimIdentity(repositories, customerId, toClaim)) === 'inserted') inserted.push(identityKeyOf(toClaim.identity));
    }
  } catch (error) {
    await repositories.identities.deleteHeldBy(inserted, customerId);
    throw error;
  }
  return inserted;
}
