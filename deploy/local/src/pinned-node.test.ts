import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { otherNodeLine, pinnedNode } from './pinned-node.js';

describe('the pinned Node', () => {
  it('the tests run on the pinned Node, the one package.json names', () => {
    assert.match(pinnedNode, /^\d+\.\d+\.\d+$/);
    assert.equal(process.version, `v${pinnedNode}`);
    assert.equal(otherNodeLine('shop'), undefined);
  });

  it('another Node gets one line saying which Node chippy runs on and how to get it', () => {
    assert.equal(
      otherNodeLine('shop', 'v20.20.2'),
      `shop: this is Node v20.20.2, chippy runs on Node ${pinnedNode} (package.json): run it through npm (npm start, npm test, npm run …), which uses node_modules/.bin/node`,
    );
  });
});
