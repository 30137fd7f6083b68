/** Command extraction in every syntax, with exact offsets and fixes in the user's own style. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFixes, lintText, preferredFixes } from '../../../src/core/recipe/index';
import type { Recipe, RecipeSetting, SettingKey } from '../../../src/core/recipe/types';
import { isUnknown } from '../../../src/core/recipe/types';

function lint(text: string, fileName: string, languageId?: string) {
  return lintText(text, { fileName, ...(languageId ? { languageId } : {}) });
}

function only(text: string, fileName: string, languageId?: string): Recipe {
  const { recipes } = lint(text, fileName, languageId);
  assert.equal(recipes.length, 1, `one recipe in ${fileName}`);
  return recipes[0];
}

function setting(recipe: Recipe, key: SettingKey): RecipeSetting {
  const found = recipe.settings.find((candidate) => candidate.key === key);
  assert.ok(found, `setting ${key}`);
  return found;
}

function fixAll(text: string, fileName: string, languageId?: string): string {
  return applyFixes(text, preferredFixes(lint(text, fileName, languageId).findings));
}

test('bash: continuations, env prefix, .venv path, comment line in a continuation', () => {
  const text = [
    'HF_HUB_OFFLINE=1 .venv/bin/optimum-cli export openvino \\',
    '  --model Qwen/Qwen3-0.6B \\',
    '  # --sym \\',
    '  --weight-format int4 \\',
    '  out_dir',
    'echo done',
  ].join('\n');
  const recipe = only(text, 'export.sh');
  assert.equal(recipe.style?.shell, 'sh');
  const format = setting(recipe, 'weightFormat');
  assert.equal(text.slice(format.span.start, format.span.end), '--weight-format int4');
  assert.equal(setting(recipe, 'output').value, 'out_dir');
  const found = lint(text, 'export.sh')
    .findings.map((finding) => finding.rule)
    .sort();
  assert.deepEqual(found, ['comment-breaks-continuation', 'npu-asymmetric-int4']);
  assert.equal(fixAll(text, 'export.sh').split('\n')[3], '  --weight-format int4 --sym \\');
});

test('uv run and python -m optimum.commands.optimum_cli are recognised', () => {
  assert.equal(only('uv run optimum-cli export openvino -m a/b --weight-format fp16 out', 'x.sh').settings.length, 3);
  const recipe = only(
    'python -m optimum.commands.optimum_cli export openvino --model=a/b --weight-format=int4 --sym out',
    'x.sh',
  );
  assert.equal(setting(recipe, 'model').value, 'a/b');
  assert.equal(setting(recipe, 'sym').value, true);
  assert.deepEqual(
    lint('python -m optimum.commands.optimum_cli export openvino --model=a/b --weight-format=int4 --sym out', 'x.sh')
      .findings,
    [],
  );
});

test('--flag=value: the value span is after the equals sign and fixes edit only it', () => {
  const text = 'optimum-cli export openvino --model=m/x --weight-format=int4 --sym --group-size=1 out';
  const group = setting(only(text, 'x.sh'), 'groupSize');
  assert.equal(text.slice(group.valueSpan!.start, group.valueSpan!.end), '1');
  assert.equal(
    fixAll(text, 'x.sh'),
    'optimum-cli export openvino --model=m/x --weight-format=int4 --sym --group-size=-1 out',
  );
});

test('the output positional can come first, in the middle or last', () => {
  for (const text of [
    'optimum-cli export openvino out -m a/b',
    'optimum-cli export openvino -m a/b out --task text-generation-with-past',
    'optimum-cli export openvino -m a/b --task t out',
  ]) {
    assert.equal(setting(only(text, 'x.sh'), 'output').value, 'out');
  }
});

test('Windows cmd ^ continuations and %VAR% placeholders', () => {
  const text = 'optimum-cli export openvino ^\r\n  --model %MODEL% ^\r\n  --weight-format int4 ^\r\n  %OUT%\r\n';
  const recipe = only(text, 'export.cmd');
  assert.equal(recipe.style?.shell, 'cmd');
  assert.ok(isUnknown(setting(recipe, 'model').value));
  assert.ok(isUnknown(setting(recipe, 'output').value));
  const findings = lint(text, 'export.cmd').findings;
  assert.deepEqual(
    findings.map((finding) => `${finding.severity}:${finding.rule}`),
    ['warning:npu-asymmetric-int4'],
  );
  assert.equal(
    fixAll(text, 'export.cmd'),
    'optimum-cli export openvino ^\r\n  --model %MODEL% ^\r\n  --weight-format int4 --sym ^\r\n  %OUT%\r\n',
  );
});

test('PowerShell backtick continuations', () => {
  const text =
    'optimum-cli export openvino `\n  --model meta-llama/Meta-Llama-3-8B `\n  --weight-format int4 `\n  --group-size 128 `\n  .\\out';
  const recipe = only(text, 'export.ps1');
  assert.equal(recipe.style?.shell, 'powershell');
  assert.equal(setting(recipe, 'output').value, '.\\out');
  assert.equal(fixAll(text, 'export.ps1').split('\n')[2], '  --weight-format int4 --sym `');
});

test('Markdown: fenced bash, inline code, a Python fence with an argv list', () => {
  const text = [
    'Export with `optimum-cli export openvino -m a/b --weight-format int4 out`.',
    '',
    '```bash',
    'optimum-cli export openvino -m a/b --weight-format int4 --sym out',
    '```',
    '',
    '```python',
    'subprocess.run(["optimum-cli", "export", "openvino", "-m", model, "--weight-format", "int4", out])',
    '```',
  ].join('\n');
  const { recipes, findings } = lint(text, 'README.md');
  assert.equal(recipes.length, 3);
  assert.equal(
    text.slice(recipes[0].span.start, recipes[0].span.end),
    'optimum-cli export openvino -m a/b --weight-format int4 out',
  );
  assert.equal(recipes[2].style?.shell, 'python-argv');
  assert.equal(findings.filter((finding) => finding.rule === 'npu-asymmetric-int4').length, 2);
  const fixed = fixAll(text, 'README.md');
  assert.ok(fixed.includes('`optimum-cli export openvino -m a/b --weight-format int4 --sym out`'));
  assert.ok(fixed.includes('"--weight-format", "int4", "--sym", out])'));
});

test('Python: f-strings split over lines, .format, os.system, variables as unknown values', () => {
  const text = [
    'import os',
    'cmd = (f"optimum-cli export openvino --model {model_id} --weight-format int4 "',
    '       f"--group-size 128 --ratio 1.0 {out}")',
    'os.system("optimum-cli export openvino --model {} --weight-format {} {}".format(m, fmt, out))',
  ].join('\n');
  const { recipes } = lint(text, 'x.py');
  assert.equal(recipes.filter((recipe) => recipe.dialect === 'optimum-cli').length, 2);
  const first = recipes[0];
  assert.equal(first.style?.shell, 'python-string');
  assert.ok(isUnknown(setting(first, 'model').value));
  const ratio = setting(first, 'ratio');
  assert.equal(text.slice(ratio.span.start, ratio.span.end), '--ratio 1.0');
  assert.ok(isUnknown(setting(recipes[1], 'weightFormat').value));
  const fixed = fixAll(text, 'x.py');
  assert.equal(
    fixed.split('\n')[1],
    'cmd = (f"optimum-cli export openvino --model {model_id} --weight-format int4 --sym "',
  );
});

test('Python: escaped quotes inside a string map back to the right characters', () => {
  const text =
    'c = "optimum-cli export openvino --model-kwargs \\"{\\\\\\"a\\\\\\": 1}\\" --model x/y --weight-format int4 --group-size 1 out"';
  const recipe = only(text, 'x.py');
  const group = setting(recipe, 'groupSize');
  assert.equal(text.slice(group.span.start, group.span.end), '--group-size 1');
  assert.ok(fixAll(text, 'x.py').endsWith('--weight-format int4 --sym --group-size -1 out"'));
});

test('Python argv list over many lines: the fix adds an item in the same layout', () => {
  const text = [
    'cmd = [',
    '    "optimum-cli",',
    '    "export",',
    '    "openvino",',
    '    "-m",',
    '    model_id,',
    '    "--weight-format",',
    '    "int4",',
    '    str(out),',
    ']',
  ].join('\n');
  const recipe = only(text, 'x.py');
  assert.ok(isUnknown(setting(recipe, 'output').value));
  assert.equal(
    fixAll(text, 'x.py'),
    [
      'cmd = [',
      '    "optimum-cli",',
      '    "export",',
      '    "openvino",',
      '    "-m",',
      '    model_id,',
      '    "--weight-format",',
      '    "int4",',
      '    "--sym",',
      '    str(out),',
      ']',
    ].join('\n'),
  );
});

test('a notebook cell as VS Code gives it: ! lines are shell', () => {
  const text =
    'model_id = "TinyLlama/TinyLlama-1.1B-Chat-v1.0"\n!optimum-cli export openvino -m $model_id --weight-format int4 --awq --dataset wikitext2 out\n';
  const recipe = only(text, 'cell.py', 'python');
  assert.ok(isUnknown(setting(recipe, 'model').value));
  assert.equal(
    fixAll(text, 'cell.py', 'python').split('\n')[1],
    '!optimum-cli export openvino -m $model_id --weight-format int4 --sym --awq --dataset wikitext2 out',
  );
});

test('.ipynb JSON: spans land on the escaped JSON text and fixes keep the file valid JSON', () => {
  const notebook = {
    cells: [
      {
        cell_type: 'markdown',
        metadata: {},
        source: ['Run `optimum-cli export openvino -m a/b --weight-format int4 out`'],
      },
      {
        cell_type: 'code',
        metadata: {},
        outputs: [],
        source: [
          'import subprocess\n',
          'subprocess.run(["optimum-cli", "export", "openvino", "-m", "a/b",\n',
          '                "--weight-format", "int4", "--group-size", "1", "out"])\n',
          '!optimum-cli export openvino \\\n',
          '  -m "x/y" --weight-format int4 o2',
        ],
      },
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
  const text = JSON.stringify(notebook, null, 1);
  const { recipes, findings } = lint(text, 'demo.ipynb');
  assert.equal(recipes.length, 3);
  const group = setting(recipes[1], 'groupSize');
  assert.equal(text.slice(group.valueSpan!.start, group.valueSpan!.end), '1');
  const model = setting(recipes[2], 'model');
  assert.equal(text.slice(model.valueSpan!.start, model.valueSpan!.end), 'x/y');
  assert.equal(text.slice(model.span.start, model.span.end), '-m \\"x/y\\"');
  assert.ok(findings.length >= 3);
  const fixed = fixAll(text, 'demo.ipynb');
  const parsed = JSON.parse(fixed) as typeof notebook;
  assert.equal(
    parsed.cells[1].source[2],
    '                "--weight-format", "int4", "--sym", "--group-size", "-1", "out"])\n',
  );
  assert.equal(parsed.cells[1].source[4], '  -m "x/y" --weight-format int4 --sym o2');
  assert.equal(parsed.cells[0].source[0], 'Run `optimum-cli export openvino -m a/b --weight-format int4 --sym out`');
});

test('an .ipynb that is not JSON is skipped with a reason', () => {
  const result = lint(
    '{ "cells": [ { "cell_type": "code", "source": ["optimum-cli export openvino -m a --weight-format int4 o"',
    'bad.ipynb',
  );
  assert.match(result.skipped ?? '', /not a valid notebook/);
});

test('Dockerfile RUN (shell and exec form) and YAML run blocks', () => {
  const docker =
    'FROM python:3.11\nRUN pip install optimum-intel && \\\n    optimum-cli export openvino -m a/b --weight-format int4 --sym /models/a\nRUN ["optimum-cli", "export", "openvino", "-m", "a/b", "--weight-format", "int4", "/m"]\n';
  const { recipes, findings } = lint(docker, 'Dockerfile');
  assert.equal(recipes.length, 2);
  assert.deepEqual(
    findings.map((finding) => finding.rule),
    ['npu-asymmetric-int4'],
  );
  assert.ok(fixAll(docker, 'Dockerfile').includes('"--weight-format", "int4", "--sym", "/m"]'));
  const yaml =
    'jobs:\n  export:\n    steps:\n      - run: |\n          optimum-cli export openvino \\\n            -m Qwen/Qwen2.5-0.5B \\\n            --weight-format int4 --group-size 1 \\\n            temp_model\n      - run: "optimum-cli export openvino -m a/b --weight-format nf4 --sym out"\n';
  const result = lintText(yaml, { fileName: 'ci.yml', target: 'intel-npu-mtl' });
  assert.deepEqual(result.findings.map((finding) => finding.rule).sort(), [
    'group-size-one',
    'nf4-needs-lunar-lake',
    'npu-asymmetric-int4',
    'npu-group-size',
  ]);
  assert.equal(result.recipes[1].span.end, yaml.indexOf(' out"') + 4);
});

test('placeholders ($VAR, ${VAR}, %VAR%, <model>, {expr}) are unknown values and never errors', () => {
  const texts = [
    'optimum-cli export openvino -m $MODEL --weight-format $FORMAT --group-size ${GS} $OUT',
    'optimum-cli export openvino -m %MODEL% --weight-format %FORMAT% --ratio %R% %OUT%',
    'optimum-cli export openvino -m <model> --weight-format <format> --group-size <gs> <out>',
  ];
  for (const text of texts) {
    const { findings, recipes } = lint(text, 'x.sh');
    assert.equal(recipes.length, 1);
    assert.deepEqual(findings, [], text);
    assert.ok(
      recipes[0].settings.filter((s) => s.key !== 'output').every((s) => isUnknown(s.value)),
      text,
    );
  }
});

test('a quoted shell command in JSX or YAML ends at its closing quote', () => {
  const text =
    "onclick={() => navigator.clipboard.writeText('optimum-cli export openvino -m a/b --weight-format int4 --sym ./save_dir')}>";
  const recipe = only(text, 'docs.mdx');
  assert.equal(setting(recipe, 'output').value, './save_dir');
  assert.equal(
    text.slice(recipe.span.start, recipe.span.end),
    'optimum-cli export openvino -m a/b --weight-format int4 --sym ./save_dir',
  );
});

test('shell operators end the command (pipes, redirects, &&, ;)', () => {
  const text = 'optimum-cli export openvino -m a/b --weight-format fp16 out 2>&1 | tee log.txt && echo ok; ls';
  const recipe = only(text, 'x.sh');
  assert.equal(
    text.slice(recipe.span.start, recipe.span.end),
    'optimum-cli export openvino -m a/b --weight-format fp16 out',
  );
});

test('the notebook helper optimum_cli(model, out, additional_args={...}) is read as an export', () => {
  const text = 'optimum_cli(model_id, model_path, additional_args={"weight-format": "int4", "group-size": "1"})';
  const recipe = only(text, 'x.py');
  assert.equal(setting(recipe, 'weightFormat').value, 'int4');
  const group = setting(recipe, 'groupSize');
  assert.equal(text.slice(group.valueSpan!.start, group.valueSpan!.end), '1');
  assert.equal(
    fixAll(text, 'x.py'),
    'optimum_cli(model_id, model_path, additional_args={"weight-format": "int4", "group-size": "-1"})',
  );
});

test('the notebook helper: the recipe spans the whole call, commas inside strings do not split arguments', () => {
  const text = 'x = 1\noptimum_cli("org/a,b", Path("out, dir"), additional_args={"weight-format": "int4"})  # done\n';
  const recipe = only(text, 'x.py');
  assert.equal(text.slice(recipe.span.start, recipe.span.end), text.slice(6, text.indexOf('  #')));
  assert.equal(recipe.facts?.['helper'], true);
  assert.equal(setting(recipe, 'model').value, 'org/a,b');
  assert.equal(setting(recipe, 'weightFormat').value, 'int4');
});

test('prose mentions without export openvino are not commands', () => {
  assert.equal(
    lint('Install optimum-cli first. Then run optimum-cli --help or optimum-cli export onnx -m x out.', 'README.md')
      .recipes.length,
    0,
  );
});

test('Markdown: config calls in ```python fences are checked and fixed in place; other fences are not Python', () => {
  const text = [
    '# Export for the NPU',
    '',
    '```python',
    'from optimum.intel import OVWeightQuantizationConfig',
    'config = OVWeightQuantizationConfig(bits=4, sym=False, group_size=128)',
    '```',
    '',
    '```text',
    'OVWeightQuantizationConfig(bits=4, sym=False)',
    '```',
  ].join('\n');
  const { recipes, findings } = lint(text, 'README.md');
  assert.equal(recipes.length, 1, 'only the python fence holds a config');
  const sym = setting(recipes[0], 'sym');
  assert.equal(text.slice(sym.span.start, sym.span.end), 'sym=False');
  assert.deepEqual(
    findings.map((finding) => finding.rule),
    ['npu-asymmetric-int4'],
  );
  assert.equal(
    fixAll(text, 'README.md').split('\n')[4],
    'config = OVWeightQuantizationConfig(bits=4, sym=True, group_size=128)',
  );
});

test('.ipynb JSON: a config call in a ```python fence of a Markdown cell lands on the escaped JSON text', () => {
  const notebook = {
    cells: [
      {
        cell_type: 'markdown',
        metadata: {},
        source: ['Use:\n', '```python\n', 'q = OVWeightQuantizationConfig(bits=4, sym=False, ratio=0.8)\n', '```'],
      },
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
  const text = JSON.stringify(notebook, null, 1);
  const { recipes } = lint(text, 'demo.ipynb');
  assert.equal(recipes.length, 1);
  const ratio = setting(recipes[0], 'ratio');
  assert.equal(text.slice(ratio.valueSpan!.start, ratio.valueSpan!.end), '0.8');
  const parsed = JSON.parse(fixAll(text, 'demo.ipynb')) as typeof notebook;
  assert.equal(parsed.cells[0].source[2], 'q = OVWeightQuantizationConfig(bits=4, sym=True, ratio=1.0)\n');
});
