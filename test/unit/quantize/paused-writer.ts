/**
 * Child process for the kill -9 tests (output-folder.test.ts): quantizes argv[2] into argv[3] and, once the
 * quantizer has started writing, says "writing" on stdout and blocks, so the parent kills it mid-write.
 */
import { writeSync } from 'node:fs';
import { quantizeModelFolder } from '../../../src/core/quantize';

const [input, output] = process.argv.slice(2);
let paused = false;
void quantizeModelFolder(input, output, {
  symmetric: true,
  blockSize: 32,
  accuracyLevel: 0,
  onProgress: (done) => {
    if (paused || done === 0) return;
    paused = true;
    writeSync(1, 'writing\n');
    // Block right here (files open, the model half written) until the parent kills the process.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  },
}).then(
  () => process.stdout.write('finished\n'),
  (error: Error) => process.stdout.write(`failed: ${error.message}\n`),
);
