/** Root mutations of the customers subgraph; the rules live in `commands/`. */
import type { Channel } from '../../../kit/src';
import { addAddress, removeAddress } from '../commands/changeAddresses';
import { linkIdentity, updateCustomer, type UpdateCustomerInput } from '../commands/changeProfile';
import { addToWishlist, removeFromWishlist } from '../commands/changeWishlist';
import { eraseCustomer } from '../commands/eraseCustomer';
import { mergeCustomers } from '../commands/mergeCustomers';
import { registerCustomer, type RegisterCustomerInput } from '../commands/registerCustomer';
import type { CustomersContext } from '../context';
import type { AddressInput } from '../domain/addressValidation';
import { requirePersonalDataCaller } from '../domain/customerAccess';
import { normaliseIdentity, type IdentityKind } from '../domain/identityNormalisation';

/** Resolvers of `Mutation`. */
export const Mutation = {
  registerCustomer: (_parent: unknown, args: { input: RegisterCustomerInput }, context: CustomersContext) => registerCustomer(context, args.input),

  updateCustomer: (_parent: unknown, args: { id: string; input: UpdateCustomerInput }, context: CustomersContext) => updateCustomer(context, args.id, args.input),

  linkIdentity(_parent: unknown, args: { customerId: string; identity: { kind: IdentityKind; value: string }; channel?: Channel | null }, context: CustomersContext) {
    requirePersonalDataCaller(context.principal);
    const identity = normaliseIdentity(args.identity.kind, args.identity.value, 'identity.value');
    return linkIdentity(context, args.customerId, identity, args.channel ?? null);
  },

  addAddress: (_parent: unknown, args: { customerId: string; address: AddressInput }, context: CustomersContext) => addAddress(context, args.customerId, args.address),

  removeAddress: (_parent: unknown, args: { customerId: string; addressId: string }, context: CustomersContext) => removeAddress(context, args.customerId, args.addressId),

  mergeCustomers: (_parent: unknown, args: { survivorId: string; duplicateId: string }, context: CustomersContext) => mergeCustomers(context, args.survivorId, args.duplicateId),

  addToWishlist: (_parent: unknown, args: { customerId: string; sku: string; channel: Channel }, context: CustomersContext) => addToWishlist(context, args.customerId, args.sku, args.channel),

  removeFromWishlist: (_parent: unknown, args: { customerId: string; sku: string }, context: CustomersContext) => removeFromWishlist(context, args.customerId, args.sku),

  eraseCustomer: (_parent: unknown, args: { id: string }, context: CustomersContext) => eraseCustomer(context, args.id),
};
