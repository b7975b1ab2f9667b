/**
 * The playground's HTML page. Every URL in it is relative, so the same page works at `/graphql` (a
 * browser's GET, through Apollo Server's landing-page hook) and at `/playground`, and behind a proxy
 * that mounts the gateway under a path. Its Content-Security-Policy lets the page talk to its own
 * origin only: even a future GraphiQL that tried to load a font from a CDN would be stopped.
 */
import { ASSET_NAMES, ASSET_PREFIX } from './playgroundAssets';

/** What the browser code needs to know, embedded in the page as JSON. */
export interface PlaygroundPageConfig {
  /** True when `/playground/tokens` mints demo tokens (development with the dev key). */
  devTokens: boolean;
}

/** The Content-Security-Policy of the page. */
export const PLAYGROUND_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // GraphiQL and React set inline style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const escapeJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** Renders the page. */
export function renderPlaygroundPage(config: PlaygroundPageConfig): string {
  const asset = (name: string) => `${ASSET_PREFIX.slice(1)}${name}`;
  const styles = ASSET_NAMES.filter((name) => name.endsWith('.css')).map((name) => `    <link rel="stylesheet" href="${asset(name)}" />`);
  // Order matters: React before GraphiQL, GraphiQL before the explorer plugin (it reads window.GraphiQL.React).
  const scripts = ['react.production.min.js', 'react-dom.production.min.js', 'graphiql.min.js', 'plugin-explorer.umd.js', 'playground.js'].map(
    (name) => `    <script src="${asset(name)}" defer></script>`,
  );
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta http-equiv="Content-Security-Policy" content="${PLAYGROUND_CSP}" />
    <meta name="referrer" content="no-referrer" />
    <title>Zócalo playground</title>
    <link rel="icon" href="data:," />
${styles.join('\n')}
    <script id="zocalo-playground-config" type="application/json">${escapeJson(config)}</script>
${scripts.join('\n')}
  </head>
  <body>
    <div id="zocalo-playground"><p class="zocalo-loading">Loading the Zócalo playground…</p></div>
    <noscript>The playground needs JavaScript. The graph answers POST requests at ./graphql.</noscript>
  </body>
</html>
`;
}
