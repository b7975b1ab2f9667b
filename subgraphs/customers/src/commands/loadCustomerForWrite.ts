/**
 * The first step of every change to an existing customer: authenticate, validate the id, read the
 * customer fresh from the database (not from the request's loader cache: a retry must see the latest
 * version), follow a merge redirect, and check the caller may change it.
 */
import { NotFoundError, type Principal } from '../../../kit/src';
import type { CustomersContext } from '../context';
import { authorizeCustomerRead, requirePersonalDataCaller } from '../domain/customerAccess';
import { readCustomerId } from '../domain/fieldValidation';
import { resolveCustomers } from '../loaders/customerLoader';
import type { CustomerDocument } from '../repositories/customerRepository';

/** The live customer `id` stands for, which the caller may change; NOT_FOUND or FORBIDDEN otherwise. */
export async function loadCustomerForWrite(context: CustomersContext, id: string, field = 'id'): Promise<{ customer: CustomerDocument; principal: Principal }> {
  const principal = requirePersonalDataCaller(context.principal);
  readCustomerId(id, field);
  const customer = (await resolveCustomers(context.customers, [id])).get(id) ?? null;
  // Whoever may read a customer may change it; someone else's id is FORBIDDEN whether or not it exists.
  authorizeCustomerRead(context, id, customer);
  if (!customer || customer.erasedAt !== undefined) throw new NotFoundError('Customer', id);
  return { customer, principal };
}
