/**
 * The Node flags the gateway process runs with — in the Docker image (docker-compose.yml's gateway
 * command), under `npm start`/`npm run dev`, and in `npm run bench`; test/docker/compose.test.ts keeps
 * the compose file in step with this list.
 *
 * `--max-old-space-size=512`: on a machine with a lot of memory V8's default heap limit is several GB,
 * and with it V8 lets the old generation grow to 2–3 times the live heap between major collections.
 * Under the web workload (≈ 1,000 requests/s) the gateway's live heap stays near 50–80 MB, yet its RSS
 * climbed to 235–280 MB; with any explicit limit from 96 MB to 1 GB V8 grows the heap in smaller steps
 * and the RSS peaked at 148–162 MB, for the same requests/s and CPU per request (bench/README.md).
 * 512 MB is 6–10 times the live heap: a ceiling that is never reached in normal work, not a squeeze.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-old-space-size=512'];
