/**
 * The trusted documents: the operations the channel frontends ship, kept in the repository as
 * `operations/<client>/<name>.graphql` — the folder is the client's name (as it sends it in
 * `apollographql-client-name` or `x-client-name`), and a document's id is the SHA-256 (hex) of the
 * file's exact text, the same hash Apollo's persisted-query link sends in
 * `extensions.persistedQuery.sha256Hash`. Loaded once at start; changing a file needs a restart.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import type { Logger } from '../../../subgraphs/kit/src';

/** One registered operation document. */
export interface TrustedDocument {
  /** The folder under the manifest directory, lower case. */
  client: string;
  /** The file name without `.graphql`. */
  name: string;
  /** SHA-256 of `text`, lower-case hex. */
  hash: string;
  text: string;
}

const CLIENT_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The SHA-256 hex of a document's text, as clients compute it. */
export function documentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The documents of every client, looked up by hash. */
export class TrustedDocumentManifest {
  private readonly byClient = new Map<string, Map<string, TrustedDocument>>();
  private readonly byHash = new Map<string, TrustedDocument>();

  constructor(documents: readonly TrustedDocument[]) {
    for (const document of documents) {
      let client = this.byClient.get(document.client);
      if (!client) this.byClient.set(document.client, (client = new Map()));
      client.set(document.hash, document);
      this.byHash.set(document.hash, document);
    }
  }

  /**
   * Reads `directory` (see module comment). A missing directory is an empty manifest; a file that does
   * not parse is kept (it fails when used) and logged, so a typo is noticed at start.
   */
  static load(directory: string, logger?: Logger): TrustedDocumentManifest {
    if (!existsSync(directory)) return new TrustedDocumentManifest([]);
    const documents: TrustedDocument[] = [];
    for (const entry of readdirSync(directory).sort()) {
      const folder = join(directory, entry);
      if (!statSync(folder).isDirectory()) continue;
      const client = entry.toLowerCase();
      if (!CLIENT_NAME.test(client)) {
        logger?.warn('trusted documents: skipping a folder whose name is not a client name', { folder });
        continue;
      }
      for (const file of readdirSync(folder).sort()) {
        if (!file.endsWith('.graphql')) continue;
        const text = readFileSync(join(folder, file), 'utf8');
        try {
          parse(text);
        } catch (error) {
          logger?.warn('trusted documents: a registered document does not parse', { file: join(folder, file), error });
        }
        documents.push({ client, name: file.slice(0, -'.graphql'.length), hash: documentHash(text), text });
      }
    }
    return new TrustedDocumentManifest(documents);
  }

  /** The document `hash` registered for `client`. */
  find(client: string, hash: string): TrustedDocument | undefined {
    return this.byClient.get(client.toLowerCase())?.get(hash.toLowerCase());
  }

  /** The document `hash` registered for any client (the text is the same whoever registered it). */
  findAnyClient(hash: string): TrustedDocument | undefined {
    return this.byHash.get(hash.toLowerCase());
  }

  /** How many documents are registered. */
  get size(): number {
    return this.byHash.size;
  }

  /** The manifest for tooling: per client, each document's name and ids (no text). */
  listing(): Record<string, { name: string; sha256Hash: string; documentId: string }[]> {
    const listing: Record<string, { name: string; sha256Hash: string; documentId: string }[]> = {};
    for (const [client, documents] of this.byClient) {
      listing[client] = [...documents.values()].map((d) => ({ name: d.name, sha256Hash: d.hash, documentId: `sha256:${d.hash}` }));
    }
    return listing;
  }
}
