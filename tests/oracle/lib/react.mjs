// Loads React 19.3.1 (production builds) for the oracle.
//
// Both halves run in ONE process started with `node --conditions react-server`:
//  - the server half (decodeReply, decodeAction, decodeFormState) needs the
//    react-server condition so that its `require("react")` gets React's server build;
//  - the client half (encodeReply, createServerReference, createTemporaryReferenceSet)
//    is loaded directly by file path; it only needs react-dom (for response-side
//    preload hints, unused by encodeReply), which loads fine under that condition.
// The *production* cjs files are loaded by path so that error messages are the bare
// production messages (the development build appends "\n  <description>\n  ^^^").
import { createRequire } from 'node:module';

process.env.NODE_ENV = 'production';
const require = createRequire(import.meta.url);

const reactPath = require.resolve('react');
if (!/react\.react-server\.js$/.test(reactPath)) {
  throw new Error(
    'The oracle must run with `node --conditions react-server` (react resolved to ' + reactPath + ')'
  );
}

const cjs = '../node_modules/react-server-dom-webpack/cjs/';
export const Client = require(cjs + 'react-server-dom-webpack-client.edge.production.js');
export const Server = require(cjs + 'react-server-dom-webpack-server.edge.production.js');
export const React = require('react');
export const reactVersion = require('../node_modules/react-server-dom-webpack/package.json').version;
export const packageVersions = {
  'react-server-dom-webpack': reactVersion,
  react: require('../node_modules/react/package.json').version,
  'react-dom': require('../node_modules/react-dom/package.json').version,
};
