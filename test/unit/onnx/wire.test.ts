import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MemorySource,
  MessageReader,
  WireFormatError,
  WireType,
  decodeVarint,
  encodeLengthPrefix,
  encodeTag,
  encodeVarint,
} from '../../../src/core/onnx/wire';

test('varints round-trip across byte-length boundaries', () => {
  const values = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31 - 1, 2 ** 32, 2 ** 53 - 1];
  for (const value of values) {
    const bytes = encodeVarint(value);
    assert.deepEqual(decodeVarint(bytes, 0), [value, bytes.length], `value ${value}`);
  }
  assert.deepEqual([...encodeVarint(300)], [0xac, 0x02]);
});

test('negative int64 takes ten bytes and decodes back signed', () => {
  const bytes = encodeVarint(-1);
  assert.equal(bytes.length, 10);
  const [raw, used] = decodeVarint(bytes, 0);
  assert.equal(used, 10);
  assert.equal(raw, -1);
});

test('a truncated varint throws WireFormatError with the offset', () => {
  const bytes = encodeVarint(2 ** 40).subarray(0, 3);
  assert.throws(
    () => decodeVarint(bytes, 0, 100),
    (error: unknown) =>
      error instanceof WireFormatError && error.offset === 103 && /truncated varint/.test(error.message),
  );
});

test('MessageReader walks fields and rejects a LEN field that runs past the end', async () => {
  const payload = new TextEncoder().encode('MatMul');
  const message = Uint8Array.from([
    ...encodeTag(1, WireType.Varint),
    ...encodeVarint(42),
    ...encodeLengthPrefix(2, payload.length),
    ...payload,
  ]);
  const reader = new MessageReader(new MemorySource(message), 0, message.length);
  const first = await reader.next();
  assert.equal(first?.field, 1);
  assert.equal(first?.varint, 42);
  const second = await reader.next();
  assert.ok(second);
  assert.equal(await reader.string(second), 'MatMul');
  assert.equal(await reader.next(), null);

  const truncated = message.subarray(0, message.length - 2);
  const short = new MessageReader(new MemorySource(truncated), 0, truncated.length);
  await short.next();
  await assert.rejects(short.next(), WireFormatError);
});
