/**
 * Tokenizes sample lines with vscode-textmate (the engine VS Code uses) and checks what the injection grammars
 * scope. Host grammars are tiny stand-ins: the injection must work whatever the host tokenizes, and the real
 * host grammars are used too when code-server (scripts/setup.sh) is installed: the grammars VS Code ships.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const root = path.resolve(__dirname, '../../../..');
const SHELL_INJECTION = 'quant-drift.optimum-cli.injection';
const PYTHON_INJECTION = 'quant-drift.optimum-cli-python.injection';

const injectionFiles: Record<string, string> = {
  [SHELL_INJECTION]: 'syntaxes/optimum-cli.injection.tmLanguage.json',
  [PYTHON_INJECTION]: 'syntaxes/optimum-cli-python.injection.tmLanguage.json',
};

/** Minimal hosts: comments and double-quoted strings, the two contexts the injection selectors care about. */
function hostGrammar(scopeName: string, comment: string): object {
  return {
    scopeName,
    patterns: [
      { match: `${comment}.*$`, name: `comment.line.${scopeName}` },
      { begin: '"', end: '"', name: `string.quoted.double.${scopeName}` },
      { begin: "'", end: "'", name: `string.quoted.single.${scopeName}` },
    ],
  };
}

const hosts: Record<string, object> = {
  'source.shell': hostGrammar('source.shell', '(?:^|\\s)#'),
  'source.powershell': hostGrammar('source.powershell', '#'),
  'source.batchfile': hostGrammar('source.batchfile', '(?i:^\\s*rem\\b)'),
  'source.dockerfile': hostGrammar('source.dockerfile', '^\\s*#'),
  'source.yaml': hostGrammar('source.yaml', '(?:^|\\s)#'),
  'text.html.markdown': { scopeName: 'text.html.markdown', patterns: [] },
  'source.python': hostGrammar('source.python', '#'),
};

let registry: textmate.Registry;

async function loadOniguruma(): Promise<void> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
}

/** A registry whose host grammars come from `hostFile(scopeName)`, with our injections as package.json sets them. */
function createRegistry(hostGrammar: (scopeName: string) => textmate.IRawGrammar | null): textmate.Registry {
  return new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: (scopeName) => {
      const file = injectionFiles[scopeName];
      if (file) {
        return Promise.resolve(
          textmate.parseRawGrammar(readFileSync(path.join(root, file), 'utf8'), path.join(root, file)),
        );
      }
      return Promise.resolve(hostGrammar(scopeName));
    },
    // As package.json's injectTo does in VS Code.
    getInjections: (scopeName) => {
      if (scopeName === 'source.python') return [PYTHON_INJECTION];
      return Object.keys(hosts).includes(scopeName) ? [SHELL_INJECTION] : undefined;
    },
  });
}

void before(async () => {
  await loadOniguruma();
  registry = createRegistry((scopeName) => {
    const host = hosts[scopeName];
    return host ? textmate.parseRawGrammar(JSON.stringify(host), `${scopeName}.json`) : null;
  });
});

interface Token {
  readonly text: string;
  readonly scopes: readonly string[];
}

async function tokenize(host: string, source: string, from = registry): Promise<Token[]> {
  const grammar = await from.loadGrammar(host);
  assert.ok(grammar, `grammar ${host} loads`);
  const tokens: Token[] = [];
  let state = textmate.INITIAL;
  for (const line of source.split('\n')) {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      tokens.push({ text: line.slice(token.startIndex, token.endIndex), scopes: token.scopes });
    }
    state = result.ruleStack;
  }
  return tokens;
}

/** The scopes of the token whose text is exactly `text` (the first one). */
function scopesOf(tokens: Token[], text: string): readonly string[] {
  const token = tokens.find((candidate) => candidate.text === text);
  assert.ok(token, `a token "${text}" in ${JSON.stringify(tokens.map((t) => t.text))}`);
  return token.scopes;
}

/** Whether the token containing `text` carries none of our scopes. */
function plain(tokens: Token[], text: string): boolean {
  const token = tokens.find((candidate) => candidate.text.includes(text));
  assert.ok(token, `a token containing "${text}"`);
  return !token.scopes.some((scope) => scope.endsWith('.optimum-cli'));
}

function hasScope(tokens: Token[], text: string, prefix: string): boolean {
  return scopesOf(tokens, text).some((scope) => scope.startsWith(prefix));
}

void describe('optimum-cli injection grammar', () => {
  void test('shell: command, flags, enum values, numbers and placeholders across continuations', async () => {
    const tokens = await tokenize(
      'source.shell',
      'optimum-cli export openvino \\\n  --model "$MODEL_ID" \\\n  --weight-format int4 \\\n  --group-size 128 --sym out',
    );
    assert.ok(hasScope(tokens, 'optimum-cli', 'entity.name.function.optimum-cli'));
    assert.ok(hasScope(tokens, 'export', 'keyword.other.subcommand.optimum-cli'));
    assert.ok(hasScope(tokens, '--weight-format', 'entity.other.attribute-name.flag.optimum-cli'));
    assert.ok(hasScope(tokens, 'int4', 'constant.language.value.optimum-cli'));
    assert.ok(hasScope(tokens, '128', 'constant.numeric.optimum-cli'));
    assert.ok(hasScope(tokens, '--sym', 'entity.other.attribute-name.flag.optimum-cli'));
    assert.ok(hasScope(tokens, '$MODEL_ID', 'variable.other.placeholder.optimum-cli'));
    assert.ok(hasScope(tokens, '\\', 'punctuation.separator.continuation.optimum-cli'));
    // The output folder is a plain argument, not a flag value.
    assert.ok(!scopesOf(tokens, ' out').some((scope) => scope.startsWith('constant')));
  });

  void test('shell: the command ends at a line without continuation', async () => {
    const tokens = await tokenize(
      'source.shell',
      'optimum-cli export openvino -m x --weight-format int4 out\necho --sym',
    );
    assert.ok(plain(tokens, 'echo'));
    assert.ok(hasScope(tokens, '-m', 'entity.other.attribute-name.flag.optimum-cli'));
  });

  void test('shell: --flag=value form and the python -m entry point', async () => {
    const tokens = await tokenize(
      'source.shell',
      'HF_HUB_OFFLINE=1 python -m optimum.commands.optimum_cli export openvino --model=m --weight-format=nf4 o',
    );
    assert.ok(hasScope(tokens, 'optimum.commands.optimum_cli', 'entity.name.function.optimum-cli'));
    assert.ok(hasScope(tokens, 'nf4', 'constant.language.value.optimum-cli'));
    assert.ok(hasScope(tokens, '=', 'punctuation.separator.key-value.optimum-cli'));
  });

  void test('not inside comments, and not for other optimum-cli subcommands', async () => {
    const commented = await tokenize('source.shell', '# optimum-cli export openvino --weight-format int4 out');
    assert.ok(commented.every((token) => !token.scopes.some((scope) => scope.endsWith('.optimum-cli'))));
    const onnx = await tokenize('source.shell', 'optimum-cli export onnx --model m out');
    assert.ok(onnx.every((token) => !token.scopes.some((scope) => scope.endsWith('.optimum-cli'))));
  });

  void test('cmd caret and PowerShell backtick continuations', async () => {
    const cmd = await tokenize('source.batchfile', 'optimum-cli export openvino ^\n  --weight-format int4 ^\n  out');
    assert.ok(hasScope(cmd, '^', 'punctuation.separator.continuation.optimum-cli'));
    assert.ok(hasScope(cmd, 'int4', 'constant.language.value.optimum-cli'));
    const ps = await tokenize('source.powershell', 'optimum-cli export openvino `\n  --model $ModelId `\n  --sym out');
    assert.ok(hasScope(ps, '$ModelId', 'variable.other.placeholder.optimum-cli'));
    assert.ok(hasScope(ps, '--sym', 'entity.other.attribute-name.flag.optimum-cli'));
  });

  void test('markdown inline code ends at its backtick', async () => {
    const tokens = await tokenize(
      'text.html.markdown',
      'Run `optimum-cli export openvino --weight-format int4 out` then --sym',
    );
    assert.ok(hasScope(tokens, 'int4', 'constant.language.value.optimum-cli'));
    assert.ok(plain(tokens, 'then'));
  });

  void test('python: inside a string only, and the string still closes', async () => {
    const tokens = await tokenize(
      'source.python',
      'os.system("optimum-cli export openvino --model {model_id} --weight-format int4 out") # --sym',
    );
    assert.ok(hasScope(tokens, '--weight-format', 'entity.other.attribute-name.flag.optimum-cli'));
    assert.ok(hasScope(tokens, '{model_id}', 'variable.other.placeholder.optimum-cli'));
    // The closing quote belongs to the host string, and what follows it is the host's comment again.
    const last = tokens.filter((token) => token.text === '"').at(-1);
    assert.ok(last && last.scopes.some((scope) => scope.startsWith('string.quoted.double')));
    assert.ok(
      tokens.some((token) => token.text.includes('# --sym') && token.scopes.some((s) => s.startsWith('comment'))),
    );
    const bare = await tokenize('source.python', 'optimum_cli = 1  # optimum-cli export openvino');
    assert.ok(bare.every((token) => !token.scopes.some((scope) => scope.endsWith('.optimum-cli'))));
  });
});

/** VS Code's own grammars from the code-server install, by scope name; empty when it is not installed. */
function builtinGrammarFiles(): Map<string, string> {
  const extensions = path.join(root, '.cache/code-server/node_modules/code-server/lib/vscode/extensions');
  const files = new Map<string, string>();
  if (!existsSync(extensions)) return files;
  for (const name of readdirSync(extensions)) {
    const manifest = path.join(extensions, name, 'package.json');
    if (!existsSync(manifest)) continue;
    const grammars = (
      JSON.parse(readFileSync(manifest, 'utf8')) as {
        contributes?: { grammars?: { scopeName?: string; path: string }[] };
      }
    ).contributes?.grammars;
    for (const grammar of grammars ?? []) {
      if (grammar.scopeName) files.set(grammar.scopeName, path.join(extensions, name, grammar.path));
    }
  }
  return files;
}

void describe('optimum-cli injection grammar inside the grammars VS Code ships', () => {
  const files = builtinGrammarFiles();
  const skip = files.size === 0 ? 'code-server is not installed (bash scripts/setup.sh)' : false;
  const builtin = (): textmate.Registry =>
    createRegistry((scopeName) => {
      const file = files.get(scopeName);
      return file ? textmate.parseRawGrammar(readFileSync(file, 'utf8'), file) : null;
    });
  const fixture = (name: string): string =>
    readFileSync(path.join(root, 'test/fixtures/workspace/recipes', name), 'utf8');

  const cases: ReadonlyArray<readonly [host: string, file: string]> = [
    ['source.shell', 'export.sh'],
    ['source.batchfile', 'export.cmd'],
    ['source.powershell', 'export.ps1'],
    ['text.html.markdown', 'README.md'],
    ['source.dockerfile', 'Dockerfile'],
    ['source.yaml', 'ci.yml'],
  ];
  for (const [host, file] of cases) {
    void test(`${file} (${host}): --weight-format is a flag and int4 a value`, { skip }, async () => {
      const tokens = await tokenize(host, fixture(file).replace(/\r/g, ''), builtin());
      assert.ok(hasScope(tokens, 'optimum-cli', 'entity.name.function.optimum-cli'));
      assert.ok(hasScope(tokens, '--weight-format', 'entity.other.attribute-name.flag.optimum-cli'));
      assert.ok(hasScope(tokens, 'int4', 'constant.language.value.optimum-cli'));
    });
  }

  void test('a Python string (MagicPython) still closes after the command', { skip }, async () => {
    const tokens = await tokenize(
      'source.python',
      'os.system(f"optimum-cli export openvino -m {model_id} --weight-format int4 out")\nx = 1',
      builtin(),
    );
    assert.ok(hasScope(tokens, 'int4', 'constant.language.value.optimum-cli'));
    assert.ok(!scopesOf(tokens, 'x').some((scope) => scope.endsWith('.optimum-cli')));
    assert.ok(hasScope(tokens, '{model_id}', 'variable.other.placeholder.optimum-cli'));
    assert.ok(scopesOf(tokens, '1').some((scope) => scope.startsWith('constant.numeric') && scope.endsWith('.python')));
  });
});
