/**
 * `npm run events:replay -- --subgraph <name> …` lists the dead letters of one subgraph and replays
 * them once their cause is fixed (docs/runbook.md, "When dead letters appear"):
 *
 *   --subgraph orders [--list]                                list them (the default)
 *   --subgraph orders --event <id> [--event <id>…]            replay those events
 *   --subgraph orders --all                                   replay every dead letter
 *   --subscriber loyalty                                      only the letters for that subscriber
 *   --wait <seconds>                                          then wait until the relay delivered them
 *
 * Outbox letters (the subgraph gave up delivering to a subscriber) go back into the relay's work list,
 * and the subgraph's running relay delivers them on its next pass; inbox letters (the subgraph gave up
 * handling an event from JetStream) are handed to its own `/internal/events` and removed once handled
 * (subgraphs/kit/src/events/deadLetterReplay.ts). Consumers dedupe by event id, so a replay never has
 * a second effect.
 *
 * Connects as the subgraph does: `MONGODB_URI` (else the database a running `npm start` or `npm run db`
 * recorded), database `MONGODB_DB` (default `zocalo_<name>`); inbox replays go to `<NAME>_URL` (default
 * `http://127.0.0.1:<its port>`) with a SERVICE token signed with `JWT_SIGNING_KEY` (the dev key when
 * unset). An unknown id stops the command before anything is replayed. Exit status: 0 done, 1 an id
 * is unknown or a replay failed, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import {
  MongoStore,
  SUBGRAPH_NAMES,
  findDeadLetters,
  isSubgraphName,
  outboxDeliveryStatus,
  readEventOptions,
  readSubgraphConfig,
  replayInboxDeadLetter,
  requeueOutboxDelivery,
  resolveEventSettings,
  resolveMongoUri,
  verifySubscriberAt,
  type DeadLetter,
  type SubgraphName,
} from '../../subgraphs/kit/src';

const USAGE = `Usage: npm run events:replay -- --subgraph <${SUBGRAPH_NAMES.join('|')}> [--list | --event <id> … | --all] [--subscriber <name>] [--wait <seconds>]`;

/** What the command line asks for. */
export interface ReplayCommand {
  subgraph: SubgraphName;
  /** Null: list. Otherwise replay these events, or every dead letter (`all`). */
  replay: null | 'all' | string[];
  subscriber?: SubgraphName;
  /** Seconds to wait for requeued outbox deliveries; 0 = do not wait. */
  waitSeconds: number;
}

/** A command line that cannot be run, with the reason. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses the arguments (after `--`). @throws UsageError */
export function parseReplayArguments(argv: readonly string[]): ReplayCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        subgraph: { type: 'string' },
        list: { type: 'boolean' },
        event: { type: 'string', multiple: true },
        all: { type: 'boolean' },
        subscriber: { type: 'string' },
        wait: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.subgraph === undefined) throw new UsageError('--subgraph is required');
  if (!isSubgraphName(values.subgraph)) throw new UsageError(`--subgraph must be one of ${SUBGRAPH_NAMES.join(', ')}, got ${JSON.stringify(values.subgraph)}`);
  if (values.subscriber !== undefined && !isSubgraphName(values.subscriber)) throw new UsageError(`--subscriber must be one of ${SUBGRAPH_NAMES.join(', ')}, got ${JSON.stringify(values.subscriber)}`);
  const events = values.event ?? [];
  if (events.length > 0 && values.all) throw new UsageError('--event and --all exclude each other');
  if (values.list && (events.length > 0 || values.all)) throw new UsageError('--list only lists; leave it out to replay');
  const badId = events.find((id) => !/^[A-Za-z0-9_.:-]{1,128}$/.test(id));
  if (badId !== undefined) throw new UsageError(`--event must be an event id (like evt_…), got ${JSON.stringify(badId)}`);
  const waitSeconds = values.wait === undefined ? 0 : Number(values.wait);
  if (values.wait !== undefined) {
    if (!Number.isFinite(waitSeconds) || waitSeconds <= 0 || waitSeconds > 3600) throw new UsageError(`--wait must be a number of seconds between 0 and 3600, got ${JSON.stringify(values.wait)}`);
    if (events.length === 0 && !values.all) throw new UsageError('--wait waits for a replay: give --event or --all');
  }
  return {
    subgraph: values.subgraph,
    replay: values.all ? 'all' : events.length > 0 ? [...new Set(events)] : null,
    ...(values.subscriber ? { subscriber: values.subscriber } : {}),
    waitSeconds,
  };
}

const print = (line: string) => process.stdout.write(`${line}\n`);

/** One line per letter, then its last error. */
function describeLetter(letter: DeadLetter, subgraph: SubgraphName): string {
  const target = letter.side === 'outbox' ? `not delivered to ${letter.subscriber}` : `not handled by ${subgraph}`;
  const what = `${letter.type ?? '(malformed)'}${letter.subject ? ` of ${letter.subject}` : ''}`;
  return `  ${letter.side.padEnd(6)} ${letter.eventId}  ${what}, ${target} after ${letter.attempts} attempts${letter.occurredAt ? `, occurred ${letter.occurredAt}` : ''}\n           last error: ${letter.lastError ?? '(none)'}`;
}

/** Waits until each requeued delivery is DELIVERED or DEAD again, or the time is up; returns how many did not get delivered. */
async function waitForDeliveries(store: MongoStore, command: ReplayCommand, requeued: DeadLetter[]): Promise<number> {
  const deadline = Date.now() + command.waitSeconds * 1000;
  let waiting = [...requeued];
  let failures = 0;
  while (waiting.length > 0) {
    const still: DeadLetter[] = [];
    for (const letter of waiting) {
      const subscriber = letter.subscriber as SubgraphName;
      const { status, lastError } = await outboxDeliveryStatus(store, letter.eventId, subscriber);
      if (status === 'DELIVERED' || status === 'GONE') print(`delivered ${letter.eventId} to ${subscriber}`);
      else if (status === 'DEAD') {
        failures += 1;
        print(`DEAD AGAIN ${letter.eventId} for ${subscriber}: ${lastError ?? '(no error recorded)'}`);
      } else still.push(letter);
    }
    waiting = still;
    if (waiting.length === 0) break;
    if (Date.now() >= deadline) {
      for (const letter of waiting) print(`STILL PENDING ${letter.eventId} for ${letter.subscriber} after ${command.waitSeconds} s: is ${command.subgraph} (its relay) running, and ${letter.subscriber} up?`);
      return failures + waiting.length;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return failures;
}

/** Runs the command against `store`; resolves with the exit status. */
export async function runReplayCommand(store: MongoStore, command: ReplayCommand, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { subgraph, subscriber } = command;
  const forWhom = subscriber ? ` for ${subscriber}` : '';
  const letters = await findDeadLetters(store, subgraph, { ...(Array.isArray(command.replay) ? { eventIds: command.replay } : {}), ...(subscriber ? { subscriber } : {}) });

  if (command.replay === null) {
    print(`${letters.length} dead letter${letters.length === 1 ? '' : 's'} in ${subgraph} (database ${store.db.databaseName})${forWhom}`);
    for (const letter of letters) print(describeLetter(letter, subgraph));
    if (letters.length > 0) print(`Replay: npm run events:replay -- --subgraph ${subgraph} --event <id> [--subscriber <name>], or --all`);
    return 0;
  }

  if (Array.isArray(command.replay)) {
    const unknown = command.replay.filter((id) => !letters.some((letter) => letter.eventId === id));
    if (unknown.length > 0) {
      process.stderr.write(`No dead letter ${unknown.join(', ')} in ${subgraph}${forWhom} (list them: npm run events:replay -- --subgraph ${subgraph}). Nothing was replayed.\n`);
      return 1;
    }
  }
  if (letters.length === 0) {
    print(`No dead letters in ${subgraph}${forWhom}: nothing to replay`);
    return 0;
  }

  let replayed = 0;
  let failures = 0;
  const requeued: DeadLetter[] = [];
  for (const letter of letters.filter((each) => each.side === 'outbox')) {
    const target = letter.subscriber as SubgraphName;
    if (await requeueOutboxDelivery(store, letter.eventId, target)) {
      replayed += 1;
      requeued.push(letter);
      print(`requeued ${letter.eventId} (${letter.type}) for ${target}: ${subgraph}'s relay delivers it on its next pass`);
    } else {
      print(`skipped ${letter.eventId} for ${target}: no longer a dead letter (replayed meanwhile?)`);
    }
  }

  const inbox = letters.filter((each) => each.side === 'inbox');
  if (inbox.length > 0) {
    const baseUrl = resolveEventSettings(readEventOptions(env)).subscriberUrls[subgraph];
    const options = { subscriber: subgraph, baseUrl, auth: readSubgraphConfig(subgraph, env).auth };
    let reachable = true;
    try {
      await verifySubscriberAt(options);
    } catch (error) {
      reachable = false;
      failures += inbox.length;
      print(`FAILED to replay ${inbox.length} inbox dead letter${inbox.length === 1 ? '' : 's'}: ${error instanceof Error ? error.message : String(error)} (kept; set ${subgraph.toUpperCase()}_URL?)`);
    }
    for (const letter of reachable ? inbox : []) {
      try {
        const outcome = await replayInboxDeadLetter(store, letter.eventId, options);
        replayed += 1;
        print(`replayed ${letter.eventId} (${letter.type}) to ${subgraph} at ${baseUrl}: ${outcome === 'processed' ? 'handled' : 'it had handled it already'}; dead letter removed`);
      } catch (error) {
        failures += 1;
        print(`FAILED ${letter.eventId}: ${error instanceof Error ? error.message : String(error)} (dead letter kept)`);
      }
    }
  }

  print(`replayed ${replayed} of ${letters.length} dead letter${letters.length === 1 ? '' : 's'} in ${subgraph}${forWhom}`);
  if (requeued.length > 0) {
    if (command.waitSeconds > 0) failures += await waitForDeliveries(store, command, requeued);
    else print(`The list empties as the relay delivers: npm run events:replay -- --subgraph ${subgraph}`);
  }
  return failures > 0 ? 1 : 0;
}

/** The script (see module comment). */
async function main(argv: readonly string[]): Promise<number> {
  let command: ReplayCommand;
  try {
    command = parseReplayArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`events:replay: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  const config = readSubgraphConfig(command.subgraph);
  const uri = await resolveMongoUri();
  const store = await MongoStore.connect({ uri, databaseName: config.databaseName });
  try {
    return await runReplayCommand(store, command);
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error: unknown) => {
      process.stderr.write(`events:replay failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
