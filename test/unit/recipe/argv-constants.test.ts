/**
 * Python argv lists built from module constants and appends (issue 14). The real example is
 * yangzhao917/petlingo@78ee2b7 `deploy_qwen3_openvino_auto.py` (its constants and `convert_model()`, verbatim).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { applyFixes, extractRecipes, lintText, preferredFixes } from '../../../src/core/recipe/index';
import type { Finding, Recipe } from '../../../src/core/recipe/types';

function rules(findings: readonly Finding[]): string[] {
  return findings.map((finding) => `${finding.severity}:${finding.rule}`);
}

function settings(recipe: Recipe): [string, unknown][] {
  return recipe.settings.map((setting) => [
    setting.raw,
    typeof setting.value === 'object' && setting.value !== null ? '?' : setting.value,
  ]);
}

const CONSTANTS = `# ==================== 配置 ====================
MODEL_ID = "Qwen/Qwen2.5-7B-Instruct"  # 使用 7B 模型（30B 太大）
OUTPUT_DIR = "qwen3-7b-openvino-int4"
DEVICE = "GPU"  # 优先 GPU，如果失败会自动尝试 NPU 和 CPU

# INT4 量化参数
WEIGHT_FORMAT = "int4"
GROUP_SIZE = 128
RATIO = 0.8  # 80% INT4, 20% INT8
SYMMETRIC = True  # 对称量化
`;
const CONVERT = `
def convert_model():
    """使用 Optimum-CLI 转换模型"""
    print_section("转换模型到 OpenVINO INT4 格式")

    # 构建命令
    cmd = [
        "optimum-cli",
        "export",
        "openvino",
        "--model", MODEL_ID,
        "--task", "text-generation-with-past",
        "--weight-format", WEIGHT_FORMAT,
        "--group-size", str(GROUP_SIZE),
        "--ratio", str(RATIO),
    ]
    
    if SYMMETRIC:
        cmd.append("--sym")
    
    cmd.append(OUTPUT_DIR)
    
    print("执行命令:")
    print(" ".join(cmd))
    try:
        subprocess.run(cmd, check=True)
        print()
`;
const SCRIPT = CONSTANTS + CONVERT;

test('module constants and appends are resolved: the ratio 0.8 of a real deployment script is seen (it was not)', () => {
  const [recipe] = extractRecipes(SCRIPT, { fileName: 'deploy_qwen3_openvino_auto.py' }).recipes;
  assert.deepEqual(settings(recipe), [
    ['--model', 'Qwen/Qwen2.5-7B-Instruct'],
    ['--task', 'text-generation-with-past'],
    ['--weight-format', 'int4'],
    ['--group-size', 128],
    ['--ratio', 0.8],
    ['output', 'qwen3-7b-openvino-int4'],
  ]);
  const { findings } = lintText(SCRIPT, { fileName: 'deploy.py', target: 'intel-npu-lnl' });
  // `--sym` is appended under `if SYMMETRIC:`: it may or may not be there, so the asymmetry rule stays silent.
  assert.deepEqual(rules(findings), ['warning:npu-ratio-below-one']);
  // The fix edits the constant, where the value is written.
  const fixed = applyFixes(SCRIPT, preferredFixes(findings));
  assert.match(fixed, /\nRATIO = 1\.0 {2}# 80% INT4, 20% INT8\n/);
  assert.deepEqual(rules(lintText(fixed, { fileName: 'deploy.py' }).findings), []);
});

test('an append in the same block counts: without --sym the asymmetric export is reported and fixed in the list', () => {
  // The same script with the append unconditional and --sym left out (as a user trying channel-wise would write it).
  const script = SCRIPT.replace('    if SYMMETRIC:\n        cmd.append("--sym")\n', '    cmd += ["--all-layers"]\n');
  const { findings } = lintText(script, { fileName: 'deploy.py' });
  assert.deepEqual(rules(findings), ['error:npu-asymmetric-int4', 'warning:npu-ratio-below-one']);
  assert.match(applyFixes(script, findings[0].fixes), /"--weight-format", WEIGHT_FORMAT, "--sym",/);
  const [recipe] = extractRecipes(script, { fileName: 'deploy.py' }).recipes;
  assert.ok(settings(recipe).some(([raw]) => raw === '--all-layers'));
});

test('near misses: a constant assigned twice, or one from the command line, stays unknown and silent', () => {
  const reassigned = SCRIPT.replace('def convert_model():\n', 'def convert_model():\n    RATIO = args.ratio\n');
  const ratio = extractRecipes(reassigned, { fileName: 'x.py' }).recipes[0].settings.find((s) => s.raw === '--ratio');
  assert.equal(typeof ratio?.value, 'object', 'RATIO is assigned twice: unknown');
  assert.deepEqual(rules(lintText(reassigned, { fileName: 'x.py' }).findings), []);
  const fromArgs = SCRIPT.replace('WEIGHT_FORMAT = "int4"', 'WEIGHT_FORMAT = os.environ.get("WF", "int4")');
  const format = extractRecipes(fromArgs, { fileName: 'x.py' }).recipes[0].settings.find(
    (s) => s.raw === '--weight-format',
  );
  assert.equal(typeof format?.value, 'object', 'a call is not a constant');
  // The symmetric variant: --sym appended unconditionally and ratio 1.0 gives nothing to say.
  const symmetric = SCRIPT.replace('RATIO = 0.8', 'RATIO = 1.0').replace(
    '    if SYMMETRIC:\n        cmd.append("--sym")\n',
    '    cmd.append("--sym")\n',
  );
  assert.deepEqual(rules(lintText(symmetric, { fileName: 'x.py' }).findings), []);
});

test('property: any literal constant reaches the setting, with its value span on the literal', () => {
  const name = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,12}$/);
  const value = fc.oneof(
    fc.constantFrom('int4', 'int8', 'nf4', 'fp16'),
    fc.integer({ min: -1, max: 512 }).map(String),
    fc.double({ min: 0, max: 1, noNaN: true }).map((n) => n.toFixed(2)),
  );
  fc.assert(
    fc.property(name, value, fc.boolean(), (constant, literal, quoted) => {
      const numeric = /^-?[\d.]+$/.test(literal);
      const written = quoted || !numeric ? `"${literal}"` : literal;
      const text = `${constant} = ${written}\ncmd = ["optimum-cli", "export", "openvino", "--group-size", ${constant}, "out"]\n`;
      const recipe = extractRecipes(text, { fileName: 'x.py' }).recipes[0];
      const group = recipe.settings.find((setting) => setting.raw === '--group-size');
      assert.ok(group?.valueSpan);
      assert.equal(text.slice(group.valueSpan.start, group.valueSpan.end), literal);
      assert.equal(group.value, numeric ? Number(literal) : literal);
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (junk) => {
      const text = `X = ${junk}\ncmd = ["optimum-cli", "export", "openvino", "--ratio", X]\ncmd += [${junk}]\ncmd.append(${junk})\n`;
      for (const recipe of extractRecipes(text, { fileName: 'x.py' }).recipes)
        for (const setting of recipe.settings) assert.ok(setting.span.end <= text.length && setting.span.start >= 0);
    }),
    { numRuns: 200 },
  );
});
