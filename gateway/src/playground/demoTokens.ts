/**
 * Demo tokens for the playground's role picker: one per role, for the demo people of the seeded data
 * (the same subjects as `npm run token`). Minted only in development with the documented dev key —
 * tokens signed with it are worthless anywhere that key is not accepted, and production refuses it.
 */
import { DEV_SIGNING_KEY, signToken, type AuthConfig, type Role } from '../../../subgraphs/kit/src';

/** A demo person the picker can sign in as. */
export interface DemoPrincipal {
  role: Role;
  sub: string;
  storeId?: string;
  /** Who this is, for the button. */
  label: string;
}

/** The people of the demo data, one per role a person can have (SERVICE is for subgraphs). */
export const DEMO_PRINCIPALS: DemoPrincipal[] = [
  { role: 'CUSTOMER', sub: 'cus_000004', label: 'Fernanda Vázquez, a loyalty member (customer cus_000004)' },
  { role: 'ASSOCIATE', sub: 'associate-cdmx-1', storeId: 'MX-CDMX-CENTRO', label: 'A store associate at Zócalo Centro Histórico' },
  { role: 'AGENT', sub: 'agent-1', label: 'A call-centre agent' },
  { role: 'ANALYST', sub: 'analyst-1', label: 'An analyst (aggregates only)' },
  { role: 'ADMIN', sub: 'admin-1', label: 'An administrator' },
];

/** A minted demo token. */
export interface DemoToken extends DemoPrincipal {
  token: string;
  /** The same token from a terminal. */
  command: string;
}

/** True when demo tokens may be minted: outside production, with the dev key. */
export function demoTokensAllowed(production: boolean, auth: AuthConfig): boolean {
  return !production && auth.signingKey === DEV_SIGNING_KEY;
}

/** The `npm run token` command that prints a token for this person. */
export function tokenCommandFor(principal: Pick<DemoPrincipal, 'role' | 'sub' | 'storeId'>): string {
  return `npm run token -- --role ${principal.role} --sub ${principal.sub}${principal.storeId ? ` --store ${principal.storeId}` : ''}`;
}

/** Mints a token for one principal (valid 12 hours). */
export function mintDemoToken(auth: AuthConfig, principal: DemoPrincipal): DemoToken {
  return {
    ...principal,
    token: signToken({ sub: principal.sub, role: principal.role, ...(principal.storeId ? { storeId: principal.storeId } : {}) }, auth),
    command: tokenCommandFor(principal),
  };
}

/** Mints a token for each demo principal. */
export function mintDemoTokens(auth: AuthConfig): DemoToken[] {
  return DEMO_PRINCIPALS.map((principal) => mintDemoToken(auth, principal));
}
