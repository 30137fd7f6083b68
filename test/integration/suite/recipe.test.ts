/**
 * Recipe checks inside the real VS Code (issue 3, "Must show"): diagnostics for every fixture syntax, the
 * preferred quick fix, fixAll on save, hovers, completions, and bad input that is skipped with a reason.
 * Runs against a temporary copy of test/fixtures/workspace; files a test edits are its own copies.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const SOURCE = 'quant-drift';
const TIMEOUT_MS = 15_000;

function root(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run with the fixture workspace open');
  return folder.uri;
}

function recipe(name: string): vscode.Uri {
  return vscode.Uri.joinPath(root(), 'recipes', name);
}

/** Polls until `probe` returns a value (not undefined/false), or fails with `what` after the timeout. */
async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === SOURCE);
}

function ruleOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code);
}

/** Waits until the file has our diagnostics for every rule given, and returns them. */
async function diagnosticsWith(uri: vscode.Uri, rules: readonly string[]): Promise<vscode.Diagnostic[]> {
  return waitFor(`${rules.join(', ')} on ${uri.path}`, () => {
    const found = ours(uri);
    return rules.every((rule) => found.some((diagnostic) => ruleOf(diagnostic) === rule)) ? found : undefined;
  });
}

/** A fresh file in the workspace, so edits never touch the shared fixtures. */
async function scratch(name: string, text: string): Promise<vscode.Uri> {
  const uri = vscode.Uri.joinPath(root(), 'recipes', 'scratch', name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

const ASYM_INT4 =
  'optimum-cli export openvino \\\n  --model meta-llama/Llama-3.2-1B \\\n  --weight-format int4 \\\n  --group-size 128 \\\n  out\n';

suite('Recipe checks', function () {
  this.timeout(60_000);

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension('quant-drift.quant-drift');
    assert.ok(extension, 'the extension under test is loaded');
    await extension.activate();
    await vscode.workspace
      .getConfiguration()
      .update('quantDrift.targetDevice', 'intel-npu-lnl', vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs
      .delete(vscode.Uri.joinPath(root(), 'recipes', 'scratch'), { recursive: true, useTrash: false })
      .then(undefined, () => undefined);
  });

  const expected: ReadonlyArray<readonly [file: string, rules: readonly string[]]> = [
    ['export.sh', ['npu-asymmetric-int4']],
    ['export.cmd', ['npu-asymmetric-int4']],
    ['export.ps1', ['group-size-one']],
    ['README.md', ['npu-asymmetric-int4', 'needs-dataset', 'unknown-flag']],
    ['export.py', ['npu-ratio-below-one', 'npu-asymmetric-int4']],
    ['Dockerfile', ['npu-asymmetric-int4']],
    ['ci.yml', ['needs-dataset']],
    ['openvino_config.json', ['npu-asymmetric-int4']],
    ['config.json', ['npu-asymmetric-int4']],
    ['olive.json', ['removed-olive-pass']],
    // An MDX page (the extension contributes the `mdx` language) and an Olive pass on its own (issue 14).
    ['speculative-decoding.mdx', ['npu-asymmetric-int4']],
    ['awq_pass.json', ['npu-asymmetric-int4']],
  ];

  for (const [file, rules] of expected) {
    test(`diagnostics in ${file}: ${rules.join(', ')}`, async () => {
      const document = await vscode.workspace.openTextDocument(recipe(file));
      const found = await diagnosticsWith(document.uri, rules);
      for (const diagnostic of found) {
        const code = diagnostic.code;
        assert.ok(typeof code === 'object' && code !== null, 'code carries a link');
        // A command link that renders the page (markdown.showPreview), never the raw .md as an editable file.
        assert.equal(code.target.scheme, 'command', `doc link of ${String(code.value)}`);
        assert.equal(code.target.path, 'quantDrift.showRuleDoc');
        assert.deepEqual(JSON.parse(decodeURIComponent(code.target.query)), [code.value]);
        assert.ok(diagnostic.message.length > 20, 'the message says what will happen');
      }
    });
  }

  test('notebook cells: the ! export command and nncf INT4_ASYM', async () => {
    const notebook = await vscode.workspace.openNotebookDocument(recipe('export.ipynb'));
    const code = notebook.getCells().filter((cell) => cell.kind === vscode.NotebookCellKind.Code);
    assert.equal(code.length, 2);
    for (const cell of code) await diagnosticsWith(cell.document.uri, ['npu-asymmetric-int4']);
  });

  test('the target setting changes the verdict, and the file is linted again', async () => {
    const uri = await scratch('target.sh', ASYM_INT4);
    await vscode.workspace.openTextDocument(uri);
    await diagnosticsWith(uri, ['npu-asymmetric-int4']);
    await vscode.workspace
      .getConfiguration()
      .update('quantDrift.targetDevice', 'cpu', vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('no NPU finding for the cpu target', () =>
        ours(uri).every((diagnostic) => ruleOf(diagnostic) !== 'npu-asymmetric-int4'),
      );
    } finally {
      await vscode.workspace
        .getConfiguration()
        .update('quantDrift.targetDevice', 'intel-npu-lnl', vscode.ConfigurationTarget.Workspace);
    }
    await diagnosticsWith(uri, ['npu-asymmetric-int4']);
  });

  test('the preferred quick fix removes the diagnostic', async () => {
    const uri = await scratch('quickfix.sh', ASYM_INT4);
    const document = await vscode.workspace.openTextDocument(uri);
    const [diagnostic] = (await diagnosticsWith(uri, ['npu-asymmetric-int4'])).filter(
      (candidate) => ruleOf(candidate) === 'npu-asymmetric-int4',
    );
    assert.ok(diagnostic);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    // vscode.executeCodeActionProvider drops CodeAction.diagnostics in its result, so the link cannot be asserted
    // here; the e2e quick-fix menu shows it.
    const preferred = actions.find((action) => action.isPreferred && action.kind?.value === 'quickfix');
    assert.ok(
      preferred?.edit,
      `a preferred quick fix among ${JSON.stringify(actions.map((a) => [a.title, a.isPreferred]))}`,
    );
    assert.ok(await vscode.workspace.applyEdit(preferred.edit));
    assert.match(document.getText(), /--sym/);
    // The continuation style is kept: every line but the last still ends with a backslash.
    const lines = document.getText().trimEnd().split('\n');
    assert.ok(
      lines.slice(0, -1).every((line) => line.endsWith('\\')),
      document.getText(),
    );
    await waitFor('the diagnostic to go away', () => ours(uri).every((d) => ruleOf(d) !== 'npu-asymmetric-int4'));
  });

  test('fixAll on save (editor.codeActionsOnSave), and a second fixAll changes nothing', async () => {
    const uri = await scratch('fixall.sh', `# quant-drift: target=intel-npu-mtl\n${ASYM_INT4}`);
    const editorConfig = vscode.workspace.getConfiguration('editor', { uri, languageId: 'shellscript' });
    await editorConfig.update(
      'codeActionsOnSave',
      { 'source.fixAll.quantDrift': 'explicit' },
      vscode.ConfigurationTarget.Workspace,
    );
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(document);
      await diagnosticsWith(uri, ['npu-asymmetric-int4']);
      await editor.edit((builder) => builder.insert(new vscode.Position(document.lineCount - 1, 0), '# saved\n'));
      await vscode.commands.executeCommand('workbench.action.files.save');
      await waitFor('the file to be saved with --sym', () => !document.isDirty && document.getText().includes('--sym'));
      const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      assert.match(onDisk, /--sym/);
      await waitFor('no fixable finding left', () => ours(uri).every((d) => ruleOf(d) !== 'npu-asymmetric-int4'));

      const again = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        uri,
        new vscode.Range(0, 0, document.lineCount, 0),
        'source.fixAll.quantDrift',
      );
      const before = document.getText();
      for (const action of again ?? []) if (action.edit) await vscode.workspace.applyEdit(action.edit);
      assert.equal(document.getText(), before, 'applying fixAll twice gives the same text as once');
    } finally {
      await editorConfig.update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('fixAll on save in a notebook (notebook.codeActionsOnSave runs it on every cell)', async () => {
    const notebookJson = {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Export'] },
        {
          cell_type: 'code',
          execution_count: null,
          metadata: {},
          outputs: [],
          source: ['!optimum-cli export openvino -m meta-llama/Llama-3.2-1B --weight-format int4 out'],
        },
        {
          cell_type: 'code',
          execution_count: null,
          metadata: {},
          outputs: [],
          source: ['q = OVWeightQuantizationConfig(bits=4, sym=False)'],
        },
      ],
      metadata: { language_info: { name: 'python' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const uri = await scratch('fixall.ipynb', JSON.stringify(notebookJson, null, 1));
    const notebookConfig = vscode.workspace.getConfiguration('notebook', uri);
    await notebookConfig.update(
      'codeActionsOnSave',
      { 'source.fixAll.quantDrift': 'explicit' },
      vscode.ConfigurationTarget.Workspace,
    );
    try {
      const notebook = await vscode.workspace.openNotebookDocument(uri);
      await vscode.window.showNotebookDocument(notebook);
      const [, commandCell, configCell] = notebook.getCells();
      await diagnosticsWith(commandCell.document.uri, ['npu-asymmetric-int4']);
      await diagnosticsWith(configCell.document.uri, ['npu-asymmetric-int4']);
      const edit = new vscode.WorkspaceEdit();
      edit.insert(commandCell.document.uri, new vscode.Position(0, 0), '# saved\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await waitFor('the notebook to be dirty', () => notebook.isDirty);
      await vscode.commands.executeCommand('workbench.action.files.save');
      await waitFor(
        'the notebook to be saved with both fixes',
        () =>
          !notebook.isDirty &&
          commandCell.document.getText().includes('--sym') &&
          configCell.document.getText().includes('sym=True'),
      );
      const onDisk = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as {
        cells: { source: string[] | string }[];
      };
      const sources = onDisk.cells.map((cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source));
      assert.equal(
        sources[1],
        '# saved\n!optimum-cli export openvino -m meta-llama/Llama-3.2-1B --weight-format int4 --sym out',
      );
      assert.equal(sources[2], 'q = OVWeightQuantizationConfig(bits=4, sym=True)');
      await waitFor('no asymmetric finding left in the cells', () =>
        [commandCell, configCell].every((cell) =>
          ours(cell.document.uri).every((d) => ruleOf(d) !== 'npu-asymmetric-int4'),
        ),
      );
    } finally {
      await notebookConfig.update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });

  test('hover on a flag explains it', async () => {
    const document = await vscode.workspace.openTextDocument(recipe('export.sh'));
    const offset = document.getText().indexOf('--weight-format') + 4;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      document.positionAt(offset),
    );
    const text = hovers
      .flatMap((hover) => hover.contents)
      .map((content) => (typeof content === 'string' ? content : content.value))
      .join('\n');
    assert.match(text, /weight.format/i);
    assert.match(text, /int4/);
    // Sources are public links, never the team's internal notes or a bare issue number.
    assert.doesNotMatch(text, /DOMAIN-REFERENCE/);
    assert.match(text, /\]\(https:\/\/github\.com\/(huggingface|openvinotoolkit)\//);
    assert.doesNotMatch(text, /(?<!\[)openvinotoolkit\/openvino#\d+(?!\])/);
  });

  test('completions for flags and for values inside an export command', async () => {
    const uri = await scratch('complete.sh', 'optimum-cli export openvino --model m --weight-format \n');
    const document = await vscode.workspace.openTextDocument(uri);
    const valueAt = document.positionAt(document.getText().indexOf('\n'));
    const values = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uri,
      valueAt,
      ' ',
    );
    const valueLabels = values.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
    assert.ok(valueLabels.includes('int4') && valueLabels.includes('fp16'), valueLabels.join(', '));

    const flags = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uri,
      document.positionAt(document.getText().indexOf('--model')),
      '-',
    );
    const flagLabels = flags.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
    assert.ok(flagLabels.includes('--sym') && flagLabels.includes('--group-size'), flagLabels.join(', '));
  });

  test('Select Target Device writes the setting, and Show Rule Documentation opens the rule page', async () => {
    try {
      const written = await vscode.commands.executeCommand<string | undefined>(
        'quantDrift.selectTarget',
        'intel-npu-mtl',
      );
      assert.equal(written, 'intel-npu-mtl');
      assert.equal(vscode.workspace.getConfiguration().get('quantDrift.targetDevice'), 'intel-npu-mtl');
    } finally {
      await vscode.workspace
        .getConfiguration()
        .update('quantDrift.targetDevice', 'intel-npu-lnl', vscode.ConfigurationTarget.Workspace);
    }
    await vscode.commands.executeCommand('quantDrift.showRuleDoc', 'npu-asymmetric-int4');
    await waitFor('a preview of npu-asymmetric-int4.md', () =>
      vscode.window.tabGroups.all
        .flatMap((group) => group.tabs)
        .some((tab) => tab.label.includes('npu-asymmetric-int4')),
    );
  });

  test('invalid JSON gives no exception, and linting goes on', async () => {
    const broken = await scratch('openvino_config.json', '{ "quantization_config": { "bits": 4, "sym": false, \n');
    await vscode.workspace.openTextDocument(broken);
    const next = await scratch('after-broken.sh', ASYM_INT4);
    await vscode.workspace.openTextDocument(next);
    await diagnosticsWith(next, ['npu-asymmetric-int4']);
    // The broken file got a lint (a finding, a parse diagnostic or nothing), never a crash of the provider.
    for (const diagnostic of ours(broken)) assert.ok(diagnostic.message.length > 0);
  });

  test('a file over quantDrift.lint.maxFileSizeMB gets one info diagnostic saying it was skipped', async () => {
    const line = 'echo "padding" # optimum-cli export openvino --weight-format int4 out\n';
    const uri = await scratch('large.sh', line.repeat(Math.ceil((1.2 * 1024 * 1024) / line.length)));
    await vscode.workspace
      .getConfiguration()
      .update('quantDrift.lint.maxFileSizeMB', 1, vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.workspace.openTextDocument(uri);
      const [skipped] = await waitFor('the skip diagnostic', () => {
        const found = ours(uri);
        return found.length === 1 ? found : undefined;
      });
      assert.equal(skipped?.severity, vscode.DiagnosticSeverity.Information);
      assert.match(skipped?.message ?? '', /skipped.*maxFileSizeMB/);
    } finally {
      await vscode.workspace
        .getConfiguration()
        .update('quantDrift.lint.maxFileSizeMB', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('Lint Recipes in Workspace skips a 50 MB file with a reason and lints the files that are not open', async () => {
    const big = await scratch('huge.sh', '# filler\n'.repeat((50 * 1024 * 1024) / 9));
    const closed = await scratch('never-opened.sh', ASYM_INT4);
    try {
      const summary = await vscode.commands.executeCommand<{ files: number; findings: number; skipped: number }>(
        'quantDrift.lintWorkspace',
      );
      assert.ok(summary && summary.files > 0 && summary.skipped >= 1, JSON.stringify(summary));
      const skipped = vscode.languages.getDiagnostics(big);
      assert.equal(skipped.length, 1);
      assert.match(skipped[0]?.message ?? '', /skipped.*larger/);
      assert.ok(ours(closed).some((diagnostic) => ruleOf(diagnostic) === 'npu-asymmetric-int4'));
    } finally {
      await vscode.workspace.fs.delete(big);
    }
  });
});
