/*
 * Zócalo playground, browser side. Plain script (no build step): React, GraphiQL and the explorer
 * plugin are UMD globals served by the gateway itself. It mounts GraphiQL with
 *  - a "Zócalo" pane: the channel examples of operations/ (click one to load it with its variables and
 *    its role's headers) and, in development, a picker that signs in as each demo role;
 *  - the explorer plugin and the docs pane (from introspection);
 *  - the POS customer 360 in the first tab.
 * Header keys that start with "//" are comments: the fetcher drops them, so the header editor (strict
 * JSON) can say how to get a token.
 */
(function () {
  'use strict';
  var React = window.React;
  var ReactDOM = window.ReactDOM;
  var GraphiQL = window.GraphiQL;
  var h = React.createElement;
  var config = JSON.parse(document.getElementById('zocalo-playground-config').textContent || '{}');
  var graphqlUrl = new URL('graphql', window.location.href).toString();
  var tokenCache = new Map();

  function tokenHint(role) {
    var command = 'npm run token -- --role ' + (role || 'AGENT');
    return (
      command +
      ' prints a token' +
      (config.devTokens ? ' (or sign in as a demo role in the Zócalo pane)' : '') +
      '; then add "Authorization": "Bearer <token>" here. The catalogue and locations need no token.'
    );
  }

  function headersText(token, role) {
    var headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    else headers['// how to get a token'] = tokenHint(role);
    return JSON.stringify(headers, null, 2);
  }

  function withoutComments(headers) {
    var clean = {};
    Object.keys(headers || {}).forEach(function (key) {
      if (key.indexOf('//') !== 0) clean[key] = headers[key];
    });
    return clean;
  }

  // A click on an example is a new request, not a retry: give every idempotency key a fresh suffix.
  function freshVariables(variables) {
    var suffix = Math.random().toString(36).slice(2, 10);
    var renew = function (value, key) {
      if (key === 'idempotencyKey' && typeof value === 'string') return value.replace(/-[^-]*$/, '') + '-' + suffix;
      if (Array.isArray(value)) return value.map(function (item) { return renew(item); });
      if (value && typeof value === 'object') {
        var copy = {};
        Object.keys(value).forEach(function (k) { copy[k] = renew(value[k], k); });
        return copy;
      }
      return value;
    };
    return renew(variables || {});
  }

  function fetchToken(principal) {
    if (!config.devTokens || !principal || !principal.role) return Promise.resolve(null);
    var query = new URLSearchParams({ role: principal.role, sub: principal.sub || '' });
    if (principal.storeId) query.set('storeId', principal.storeId);
    var key = query.toString();
    if (!tokenCache.has(key)) {
      tokenCache.set(
        key,
        fetch('playground/tokens?' + key, { headers: { accept: 'application/json' } })
          .then(function (response) { return response.ok ? response.json() : { tokens: [] }; })
          .then(function (body) { return (body.tokens && body.tokens[0] && body.tokens[0].token) || null; })
          .catch(function () { return null; }),
      );
    }
    return tokenCache.get(key);
  }

  function tabOf(example, token) {
    return {
      query: example.document,
      variables: JSON.stringify(freshVariables(example.variables), null, 2),
      headers: headersText(token, example.role),
    };
  }

  function setHeader(headerEditor, token, role) {
    if (!headerEditor) return;
    var current = {};
    try {
      current = JSON.parse(headerEditor.getValue() || '{}') || {};
    } catch (error) {
      current = {};
    }
    var next = {};
    Object.keys(current).forEach(function (key) {
      if (key.toLowerCase() !== 'authorization' && key.indexOf('//') !== 0) next[key] = current[key];
    });
    if (token) next.Authorization = 'Bearer ' + token;
    else next['// how to get a token'] = tokenHint(role);
    headerEditor.setValue(JSON.stringify(next, null, 2));
  }

  function ZocaloIcon() {
    return h(
      'svg',
      { viewBox: '0 0 24 24', width: '1em', height: '1em', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true },
      h('rect', { x: 3, y: 3, width: 18, height: 18, rx: 2 }),
      h('path', { d: 'M3 12h18M12 3v18' }),
    );
  }

  function createZocaloPlugin(examples, demoPrincipals) {
    function Content() {
      var editors = GraphiQL.React.useEditorContext({ nonNull: true });
      var statusState = React.useState('');
      var status = statusState[0];
      var setStatus = statusState[1];

      // An example opens in a new tab: addTab() switches tabs on GraphiQL's next render, so the values
      // wait in a ref until the effect below sees the new tab.
      var pending = React.useRef(null);
      var tabCount = editors.tabs.length;
      React.useEffect(function () {
        var next = pending.current;
        if (!next || tabCount <= next.tabsBefore) return;
        pending.current = null;
        editors.queryEditor && editors.queryEditor.setValue(next.tab.query);
        editors.variableEditor && editors.variableEditor.setValue(next.tab.variables);
        editors.headerEditor && editors.headerEditor.setValue(next.tab.headers);
        setStatus(next.message);
      }, [tabCount]);

      var load = function (example) {
        fetchToken(example).then(function (token) {
          pending.current = {
            tabsBefore: editors.tabs.length,
            tab: tabOf(example, token),
            message: 'Opened ' + example.client + '/' + example.name + (example.role ? ' as ' + example.role + (token ? '' : ' (add a token)') : ' (public)') + '. Press ▶ to run it.',
          };
          editors.addTab();
        });
      };
      var signIn = function (principal) {
        fetchToken(principal).then(function (token) {
          setHeader(editors.headerEditor, token, principal && principal.role);
          setStatus(principal ? 'Signed in as ' + principal.role + ' ' + principal.sub + ' (Headers tab).' : 'Signed out: no Authorization header.');
        });
      };

      var byClient = [];
      examples.forEach(function (example) {
        var group = byClient.find(function (g) { return g.client === example.client; });
        if (!group) byClient.push((group = { client: example.client, title: example.clientTitle, examples: [] }));
        group.examples.push(example);
      });

      return h(
        'div',
        { className: 'zocalo-pane' },
        h('div', { className: 'graphiql-doc-explorer-title' }, 'Zócalo'),
        h('p', { className: 'zocalo-status', role: 'status' }, status),
        config.devTokens
          ? h(
              'section',
              { className: 'zocalo-section', 'aria-label': 'Sign in as a demo role' },
              h('h3', null, 'Sign in as (development only)'),
              demoPrincipals.map(function (principal) {
                return h(
                  'button',
                  { key: principal.role, type: 'button', className: 'zocalo-role', 'data-role': principal.role, title: principal.command, onClick: function () { signIn(principal); } },
                  h('strong', null, principal.role),
                  h('span', null, principal.label),
                );
              }),
              h('button', { type: 'button', className: 'zocalo-role zocalo-signout', onClick: function () { signIn(null); } }, 'No token (anonymous)'),
            )
          : h(
              'section',
              { className: 'zocalo-section' },
              h('h3', null, 'Tokens'),
              h('p', null, 'Get one with ', h('code', null, 'npm run token -- --role AGENT'), ' where you hold the signing key, and send it as "Authorization": "Bearer <token>" in the Headers tab.'),
            ),
        h(
          'section',
          { className: 'zocalo-section', 'aria-label': 'Examples by channel' },
          h('h3', null, 'Examples by channel'),
          byClient.map(function (group) {
            return h(
              'div',
              { key: group.client, className: 'zocalo-client' },
              h('h4', null, group.title),
              group.examples.map(function (example) {
                return h(
                  'button',
                  {
                    key: example.name,
                    type: 'button',
                    className: 'zocalo-example',
                    'data-operation': example.client + '/' + example.name,
                    title: example.path,
                    onClick: function () { load(example); },
                  },
                  h('span', { className: 'zocalo-example-name' }, example.name, h('small', null, example.operationType === 'mutation' ? ' mutation' : '', example.role ? ' · ' + example.role : ' · public')),
                  h('span', { className: 'zocalo-example-description' }, example.description),
                );
              }),
            );
          }),
        ),
      );
    }
    return { title: 'Zócalo examples', icon: ZocaloIcon, content: Content };
  }

  function showError(message) {
    var root = document.getElementById('zocalo-playground');
    root.textContent = '';
    var p = document.createElement('p');
    p.className = 'zocalo-loading';
    p.textContent = message;
    root.appendChild(p);
  }

  function start() {
    Promise.all([
      fetch('playground/operations.json', { headers: { accept: 'application/json' } }).then(function (response) {
        if (!response.ok) throw new Error('playground/operations.json answered HTTP ' + response.status);
        return response.json();
      }),
      config.devTokens
        ? fetch('playground/tokens', { headers: { accept: 'application/json' } }).then(function (response) { return response.ok ? response.json() : { tokens: [] }; })
        : Promise.resolve({ tokens: [] }),
    ])
      .then(function (results) {
        var examples = results[0].examples || [];
        var demoPrincipals = results[1].tokens || [];
        demoPrincipals.forEach(function (principal) {
          var query = new URLSearchParams({ role: principal.role, sub: principal.sub });
          if (principal.storeId) query.set('storeId', principal.storeId);
          tokenCache.set(query.toString(), Promise.resolve(principal.token));
        });
        // The first tab holds the customer 360 a POS sends (the graph's headline query); the rest open
        // from the Zócalo pane, each in its own tab.
        var headline = examples.find(function (example) { return example.client === 'pos' && example.name === 'Customer360'; }) || examples[0];
        var firsts = headline ? [headline] : [];
        return Promise.all(firsts.map(function (example) { return fetchToken(example); })).then(function (tokens) {
          return { examples: examples, demoPrincipals: demoPrincipals, tabs: firsts.map(function (example, i) { return tabOf(example, tokens[i]); }) };
        });
      })
      .then(function (state) {
        var baseFetcher = GraphiQL.createFetcher({ url: graphqlUrl, enableIncrementalDelivery: false });
        var fetcher = function (params, options) {
          return baseFetcher(params, Object.assign({}, options, { headers: withoutComments(options && options.headers) }));
        };
        var zocaloPlugin = createZocaloPlugin(state.examples, state.demoPrincipals);
        var explorer = window.GraphiQLPluginExplorer.explorerPlugin({ showAttribution: false });
        var root = ReactDOM.createRoot(document.getElementById('zocalo-playground'));
        root.render(
          h(
            GraphiQL,
            {
              fetcher: fetcher,
              plugins: [zocaloPlugin, explorer],
              visiblePlugin: zocaloPlugin,
              defaultTabs: state.tabs.length > 0 ? state.tabs : undefined,
              defaultHeaders: headersText(null, null),
              defaultEditorToolsVisibility: true,
              shouldPersistHeaders: false,
              storage: GraphiQL.createLocalStorage({ namespace: 'zocalo' }),
            },
            h(GraphiQL.Logo, null, 'Zócalo'),
          ),
        );
      })
      .catch(function (error) {
        showError('The playground could not start: ' + (error && error.message ? error.message : String(error)));
      });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
