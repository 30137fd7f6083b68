/**
 * Olive as users meet it, from real public files (issue 14): passes in the JSON fences of Olive's docs, bare pass
 * objects, pass defaults read from Olive's source, the device a workflow declares, and ModelBuilder after a
 * quantizing pass. Each class has an example that was missed or misjudged before and a near miss that stays clean.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { DeviceProfileId } from '../../../src/core/devices/profiles';
import { applyFixes, lintText, preferredFixes } from '../../../src/core/recipe/index';
import type { Finding } from '../../../src/core/recipe/types';
import { isRelevant } from '../../../src/features/recipe/scope';

const FIXTURES = path.resolve(__dirname, '../../../../test/unit/recipe/fixtures/olive');

function lint(text: string, fileName: string, target: DeviceProfileId = 'intel-npu-lnl') {
  return lintText(text, { fileName, target });
}

function rules(findings: readonly Finding[]): string[] {
  return findings.map((finding) => `${finding.severity}:${finding.rule}`);
}

function fence(json: string): string {
  return `### Example Configuration\n\`\`\`json\n${json}\n\`\`\`\n`;
}

function fixOnce(text: string, fileName: string): string {
  return applyFixes(text, preferredFixes(lint(text, fileName).findings));
}

// microsoft/Olive@ee6f40f docs/source/features/quantization.md, "AutoGPTQ" example.
const GPTQ_QUANTIZER = `{
    "type": "GptqQuantizer",
    "data_config": "wikitext2_train"
}`;
// Same file, "AutoAWQ" example.
const AUTO_AWQ = `{
    "type": "AutoAWQQuantizer",
    "bits": 4
}`;
// Same file, "RTN" example (the ONNX pass, symmetric by default).
const ONNX_RTN = `{
    "type": "OnnxBlockWiseRtnQuantization"
}`;
// Same file, "PyTorch Native RTN" example.
const RTN = `{
    "type": "Rtn",
    "bits": 4,
    "group_size": 128,
    "sym": false,
    "embeds": true,
    "moe": true,
    "overrides": {
        "re:.*\\\\.experts\\\\..*": { "bits": 4, "group_size": 32 }
    }
}`;
// Same file, "Composing with Gptq": a list of passes.
const GPTQ_THEN_RTN = `[
    { "type": "Gptq" },
    { "type": "Rtn", "moe": true, "embeds": true }
]`;
// Same file, "HQQ" example.
const HQQ = `{
    "type": "OnnxHqqQuantization"
}`;
// microsoft/Olive@ee6f40f docs/source/features/ihv-integration/openvino.md, "Example Optimum Conversion Configuration".
const OV_OPTIMUM = `{
    "type": "OpenVINOOptimumConversion",
    "extra_args" : { "device": "npu" },
    "ov_quant_config": {
        "weight_format": "int4",
        "dataset": "wikitext2",
        "awq": true
    }
}`;
// Same file, "Example Weight Compression Configuration".
const OV_WEIGHT_COMPRESSION = `{
    "type": "OpenVINOWeightCompression",
    "data_config": "compress_data_config",
    "transform_fn": "custom_transform_func",
    "extra_args": { "tokenizer": true },
    "compress_config": {
        "mode": "INT4_SYM",
        "ratio": 0.8
    }
}`;
// microsoft/Olive@ee6f40f docs/source/how-to/configure-workflows/build-workflow.md: a fragment without outer braces.
const PASSES_FRAGMENT = `    "passes" : {
        "mb": {
            "type": "ModelBuilder",
            "precision": "int4",
            "int4_block_size": 32,
            "int4_accuracy_level": 4,
            "int4_op_types_to_quantize": [ "MatMul", "Gather" ],
            "save_as_external_data": true
        },
        "gs": {
            "type": "GraphSurgeries",
            "surgeries": [
                { "surgeon": "RemoveRopeMultiCache" },
                { "surgeon": "AttentionMaskToSequenceLengths" },
                { "surgeon": "SimplifiedLayerNormToL2Norm" }
            ],
            "save_as_external_data": true
        }
    }`;

test('Olive JSON fences in Markdown are read (they were invisible): GptqQuantizer defaults to sym=false', () => {
  const doc = fence(GPTQ_QUANTIZER);
  const { findings } = lint(doc, 'quantization.md');
  assert.deepEqual(rules(findings), ['error:npu-asymmetric-int4']);
  assert.match(findings[0].message, /^GptqQuantizer defaults to sym=false/);
  assert.equal(doc.slice(findings[0].span.start, findings[0].span.end), '"type": "GptqQuantizer"');
  const fixed = fixOnce(doc, 'quantization.md');
  assert.equal(fixed, fence(GPTQ_QUANTIZER.replace('"wikitext2_train"', '"wikitext2_train",\n    "sym": true')));
  assert.deepEqual(rules(lint(fixed, 'quantization.md').findings), []);
  // Near miss: the ONNX RTN pass of the same page is symmetric by default.
  assert.deepEqual(rules(lint(fence(ONNX_RTN), 'quantization.md').findings), []);
  // The same in an MDX page, and in a Markdown cell of a notebook is covered by the fence reader they share.
  assert.deepEqual(rules(lint(fence(GPTQ_QUANTIZER), 'quantization.mdx').findings), ['error:npu-asymmetric-int4']);
});

test('a bare pass object or a list of passes in a .json file is an Olive pass', () => {
  assert.deepEqual(rules(lint(AUTO_AWQ, 'awq_pass.json').findings), ['error:npu-asymmetric-int4']);
  const both = lint(GPTQ_THEN_RTN, 'passes.json').findings;
  assert.deepEqual(rules(both), ['error:npu-asymmetric-int4', 'error:npu-asymmetric-int4']);
  assert.match(both[0].message, /^Gptq defaults to sym=false/);
  assert.match(both[1].message, /^Rtn defaults to sym=false/);
  // The editor lints such a file although it has no workflow markers.
  assert.equal(
    isRelevant('json', '/work/awq_pass.json', () => AUTO_AWQ),
    true,
  );
  assert.equal(
    isRelevant('json', '/work/model.json', () => '{ "type": "HfModel" }'),
    false,
  );
  // Near miss: a JSON object whose `type` is not an Olive pass stays unread.
  assert.equal(lint('{ "type": "HfModel", "model_path": "x" }', 'model.json').recipeCount, 0);
  assert.equal(lint('[{ "type": "module" }]', 'list.json').recipeCount, 0);
});

test('pass defaults from Olive source: AutoAWQQuantizer zero_point, Rtn sym, HQQ, OpenVINOOptimumConversion', () => {
  const awq = lint(fence(AUTO_AWQ), 'quantization.md').findings;
  assert.match(awq[0].message, /^AutoAWQQuantizer defaults to zero_point=true/);
  assert.equal(awq[0].fixes[0].title, 'Add "zero_point": false');
  assert.deepEqual(rules(lint(fixOnce(fence(AUTO_AWQ), 'q.md'), 'q.md').findings), []);

  const rtn = lint(fence(RTN), 'quantization.md').findings;
  assert.deepEqual(rules(rtn), ['error:npu-asymmetric-int4']);
  assert.match(rtn[0].message, /`sym` = false gives asymmetric INT4/);
  assert.match(fixOnce(fence(RTN), 'q.md'), /"sym": true,/);

  const hqq = lint(fence(HQQ), 'quantization.md').findings;
  assert.deepEqual(rules(hqq), ['error:npu-asymmetric-int4']);
  assert.match(hqq[0].message, /^OnnxHqqQuantization writes a zero point for every block/);
  assert.equal(preferredFixes(hqq).length, 0, 'no preferred fix: only swapping the pass makes it symmetric');
  assert.equal(hqq[0].fixes[0].title, 'Use OnnxBlockWiseRtnQuantization (symmetric by default)');

  const optimum = lint(fence(OV_OPTIMUM), 'openvino.md').findings;
  assert.deepEqual(rules(optimum), ['error:npu-asymmetric-int4']);
  assert.match(optimum[0].message, /^OpenVINOOptimumConversion builds its config with sym=false/);
  const fixed = fixOnce(fence(OV_OPTIMUM), 'openvino.md');
  assert.match(fixed, /"awq": true,\n {8}"sym": true\n/);
  assert.deepEqual(rules(lint(fixed, 'openvino.md').findings), []);

  // Near miss: the symmetric variant (INT4_SYM) gets no asymmetry finding; its ratio 0.8 is a separate matter.
  assert.deepEqual(rules(lint(fence(OV_WEIGHT_COMPRESSION), 'openvino.md').findings), ['warning:npu-ratio-below-one']);
});

test('a fragment fence ("passes": {...} without braces) is read in braces of its own', () => {
  const doc = fence(PASSES_FRAGMENT);
  const { findings } = lint(doc, 'build-workflow.md');
  // ModelBuilder alone quantizes every MatMul: its block size is the model's group size.
  assert.deepEqual(rules(findings), ['warning:npu-group-size']);
  assert.equal(doc.slice(findings[0].span.start, findings[0].span.end), '"int4_block_size": 32');
});

function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

test('declared device: a GPU workflow is judged for the GPU, a QNN one for the Qualcomm NPU', () => {
  // Misjudged before: two Intel NPU group-size warnings on a workflow for the Adreno GPU (device "gpu").
  assert.deepEqual(rules(lint(fixture('aitk-qwen2_5_qnn_gpu_config.json'), 'config.json').findings), []);
  // Near miss, GPU-only: HQQ is asymmetric by construction, which the CUDA GPU it declares runs fine.
  const hqq = fixture('llama3_2_hqq.json');
  assert.deepEqual(rules(lint(hqq, 'hqq.json').findings), []);
  // The same passes with no device declared are judged for the editor's target, the Intel NPU.
  const undeclared = JSON.stringify({ ...(JSON.parse(hqq) as object), systems: undefined });
  assert.deepEqual(rules(lint(undeclared, 'hqq.json').findings), ['error:npu-asymmetric-int4']);
  // device "npu" with QNNExecutionProvider: judged for the Qualcomm NPU, and the finding says so.
  const qnn = lint(fixture('aitk-qwen2_5_qnn_config.json'), 'config.json');
  assert.deepEqual(rules(qnn.findings), []);
  const asymmetric = fixture('aitk-qwen2_5_qnn_config.json').replace(
    '"sym": true,\n            "group_size": -1',
    '"sym": false,\n            "group_size": -1',
  );
  const info = lint(asymmetric, 'config.json').findings;
  assert.deepEqual(rules(info), ['info:npu-asymmetric-int4']);
  assert.equal(info[0].target, 'qualcomm-htp');
  assert.match(info[0].message, /declares device "npu" with QNNExecutionProvider in system "target_system"/);
});

test('ModelBuilder after a quantizing pass only packs what is left: its int4_block_size is not a group size', () => {
  // Misjudged before: "Group size 32 is outside the Intel NPU recipe" on ModelBuilder after GptqModel.
  const text = fixture('qnn-qwen2_5_config.json');
  assert.deepEqual(rules(lint(text, 'config.json').findings), []);
  // Without the QNN system (so no declared device), the ModelBuilder is still not judged as the group size.
  const bare = JSON.stringify({ ...(JSON.parse(text) as object), systems: undefined }, null, 4);
  assert.deepEqual(
    lint(bare, 'config.json').findings.filter((finding) => finding.rule === 'npu-group-size'),
    [],
  );
});

test('messages never show internal dialect names', () => {
  const internal =
    /\b(olive-pass|ov-weight-config|ov-quant-config|nncf-compress-weights|hf-gptq|hf-awq|ort-matmulnbits)\b/;
  const texts: [string, string][] = [
    [fence(GPTQ_QUANTIZER), 'a.md'],
    [fence(AUTO_AWQ), 'a.md'],
    [fence(HQQ), 'a.md'],
    [fence(OV_OPTIMUM), 'a.md'],
    [GPTQ_THEN_RTN, 'a.json'],
    ['q = OVWeightQuantizationConfig(bits=4)', 'a.py'],
    ['{"quantization_config": {"bits": 4, "quant_method": "awq"}}', 'config.json'],
    ['q = MatMulNBitsQuantizer(model, block_size=32, is_symmetric=False)', 'a.py'],
  ];
  for (const [text, fileName] of texts) {
    for (const finding of lint(text, fileName).findings) assert.doesNotMatch(finding.message, internal, text);
  }
});

test("OpenVINOOptimumConversion with only weight_format int4 applies optimum's default for the input model", () => {
  // olive/passes/openvino/optimum_intel.py: no compression parameter -> get_default_quantization_config(model).
  const workflow = (model: string): string =>
    JSON.stringify(
      {
        input_model: { type: 'HfModel', model_path: model },
        passes: { conv: { type: 'OpenVINOOptimumConversion', ov_quant_config: { weight_format: 'int4' } } },
      },
      null,
      4,
    );
  // Near miss: optimum's per-model default for Qwen3-4B is symmetric.
  assert.deepEqual(rules(lint(workflow('Qwen/Qwen3-4B'), 'olive.json').findings), []);
  const generic = lint(workflow('org/unlisted-7b'), 'olive.json').findings;
  assert.deepEqual(rules(generic), ['error:npu-asymmetric-int4']);
  assert.match(generic[0].message, /applies optimum's generic 4-bit default, which is asymmetric/);
  assert.match(fixOnce(workflow('org/unlisted-7b'), 'olive.json'), /"weight_format": "int4",\n\s+"sym": true/);
});

test('schemas/olive.schema.json keys its pass hovers on "type" and agrees with the extractor on symmetry defaults', () => {
  interface Block {
    if: { properties: { type?: { const: string } } };
    then: { properties: Record<string, { default?: unknown }> };
  }
  const schemaPath = path.resolve(__dirname, '../../../../schemas/olive.schema.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as {
    properties: { passes: { additionalProperties: { allOf: Block[] } } };
  };
  const blocks = schema.properties.passes.additionalProperties.allOf;
  assert.ok(blocks.every((block) => typeof block.if.properties.type?.const === 'string'));
  const symmetricByDefault = (type: string): boolean | undefined => {
    const props = blocks.find((block) => block.if.properties.type?.const === type)?.then.properties;
    if (props?.zero_point) return props.zero_point.default === false;
    return props?.sym ? props.sym.default === true : undefined;
  };
  for (const type of ['Gptq', 'GptqQuantizer', 'GptqModel', 'Rtn', 'AutoAWQQuantizer']) {
    const recipe = lint(`{ "type": "${type}" }`, 'pass.json').recipes[0];
    assert.equal(symmetricByDefault(type), recipe.facts?.['defaultSym'], type);
  }
});

test('property: a pass in a JSON fence (object, list or fragment, any indentation) lands on its own text', () => {
  const types = fc.constantFrom('Gptq', 'GptqQuantizer', 'Rtn', 'gptqquantizer');
  const layout = fc.constantFrom<'object' | 'list' | 'fragment'>('object', 'list', 'fragment');
  fc.assert(
    fc.property(types, layout, fc.nat({ max: 6 }), fc.boolean(), (type, shape, indent, mdx) => {
      const pad = ' '.repeat(indent);
      const pass = `{ "type": "${type}", "bits": 4, "sym": false }`;
      const json =
        shape === 'object'
          ? pass
          : shape === 'list'
            ? `[\n${pad}${pass}\n]`
            : `${pad}"passes": {\n${pad}  "q": ${pass}\n${pad}}`;
      const doc = `# Quantize\n\nSome prose with \`optimum\` words.\n\n\`\`\`json\n${json}\n\`\`\`\n\n<Tip>done</Tip>\n`;
      const fileName = mdx ? 'page.mdx' : 'page.md';
      const { findings } = lint(doc, fileName);
      assert.deepEqual(rules(findings), ['error:npu-asymmetric-int4']);
      assert.equal(doc.slice(findings[0].span.start, findings[0].span.end), '"sym": false');
      const fixed = applyFixes(doc, preferredFixes(findings));
      assert.equal(fixed, doc.replace('"sym": false', '"sym": true'));
    }),
    { numRuns: 150 },
  );
});
