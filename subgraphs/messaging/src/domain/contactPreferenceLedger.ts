/**
 * Setting a consent: the current state in `contactPreferences` and the change in `preferenceHistory`
 * (who, when, through which channel, from what to what). The state is written first, in one atomic
 * write that also yields the state before it; the history entry follows, keyed by the state's version so
 * a retry cannot write it twice. Re-stating the same consent is recorded too: it is evidence of when the
 * customer confirmed it.
 */
import type { Channel, Role } from '../../../kit/src';
import type { ContactPreferenceDocument, ContactPreferenceRepository } from '../repositories/contactPreferenceRepository';
import type { PreferenceHistoryRepository } from '../repositories/preferenceHistoryRepository';

/** A consent statement. */
export interface ConsentStatement {
  customerId: string;
  channel: Channel;
  optedIn: boolean;
  via: Channel;
  /** `principal.sub` of whoever records it. */
  by: string;
  byRole: Role;
}

/** Records consent with its history (see module comment). */
export class ContactPreferenceLedger {
  constructor(
    private readonly preferences: ContactPreferenceRepository,
    private readonly history: PreferenceHistoryRepository,
  ) {}

  /** Records `statement`; returns the preference after it. */
  async set(statement: ConsentStatement): Promise<ContactPreferenceDocument> {
    const at = new Date();
    const { before, after } = await this.preferences.apply({ ...statement, at });
    await this.history.record({
      _id: `${after._id}:${after.version}`,
      customerId: statement.customerId,
      channel: statement.channel,
      previousOptedIn: before ? before.optedIn : null,
      optedIn: statement.optedIn,
      via: statement.via,
      changedBy: statement.by,
      changedByRole: statement.byRole,
      changedAt: at,
    });
    return after;
  }
}
