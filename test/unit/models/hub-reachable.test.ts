import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { checkReachable } from '../../../src/core/hub/reachable';

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

// Issue 13: offline, Download asked every question before it failed.
void describe('checkReachable', () => {
  const answering = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const silent = createServer(() => {
    // Never answers: a black-holed endpoint.
  });
  let answeringUrl = '';
  let silentUrl = '';
  before(async () => {
    answeringUrl = await listen(answering);
    silentUrl = await listen(silent);
  });
  after(() => {
    answering.close();
    silent.closeAllConnections();
    silent.close();
  });

  void test('any HTTP answer, even 404, is reachable', async () => {
    assert.deepEqual(await checkReachable(answeringUrl), { reachable: true });
  });

  void test('a refused connection is not, with the reason', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const result = await checkReachable(url);
    assert.equal(result.reachable, false);
    assert.match(result.reachable ? '' : result.reason, /ECONNREFUSED/);
  });

  void test('no answer within the timeout is not reachable, and the check does not hang', async () => {
    const started = Date.now();
    const result = await checkReachable(silentUrl, { timeoutMs: 300 });
    assert.deepEqual(result, { reachable: false, reason: 'no answer within 300 ms' });
    assert.ok(Date.now() - started < 5000);
  });
});
