/** Data access of the `locations` collection: stores and warehouses, `_id` = location id. */
import type { Collection } from 'mongodb';
import type { MongoStore } from '../../../kit/src';

/** Whether a location is a store or a warehouse. */
export type LocationKind = 'STORE' | 'WAREHOUSE';

/** Opening hours of one weekday, local time of America/Mexico_City. */
export interface OpeningHoursDocument {
  /** 1 = Monday … 7 = Sunday. */
  dayOfWeek: number;
  /** HH:MM */
  opens: string;
  /** HH:MM */
  closes: string;
}

/** A location as stored. */
export interface LocationDocument {
  _id: string;
  name: string;
  kind: LocationKind;
  address: { street: string; neighborhood: string; city: string; state: string; postalCode: string; country: string };
  coordinates?: { latitude: number; longitude: number };
  openingHours: OpeningHoursDocument[];
  pickupEnabled: boolean;
  shipFromStoreEnabled: boolean;
}

/** Name of the collection. */
export const LOCATIONS = 'locations';

/** Stores and warehouses. */
export class LocationRepository {
  private readonly locations: Collection<LocationDocument>;

  constructor(store: MongoStore) {
    this.locations = store.collection<LocationDocument>(LOCATIONS);
  }

  /** Locations by id, in no particular order. */
  findByIds(ids: readonly string[]): Promise<LocationDocument[]> {
    return this.locations.find({ _id: { $in: [...ids] } }).toArray();
  }

  /** One location, or null. */
  findById(id: string): Promise<LocationDocument | null> {
    return this.locations.findOne({ _id: id });
  }

  /** Every location (a retailer has tens to hundreds), optionally of one kind, ordered by name. */
  findAll(kind?: LocationKind): Promise<LocationDocument[]> {
    return this.locations
      .find(kind ? { kind } : {})
      .sort({ name: 1, _id: 1 })
      .toArray();
  }

  /** Inserts locations (seed). */
  async insertMany(documents: readonly LocationDocument[]): Promise<void> {
    if (documents.length > 0) await this.locations.insertMany([...documents], { ordered: false });
  }
}
