/** The prompt list: suite picker, import, add/edit/remove. Changes go to the host as a whole list. */
import type { PanelPrompt, SuiteOption } from '../../src/protocol/webview';
import { h, on } from './dom';

export interface PromptEditorActions {
  loadSuite(name: string): void;
  importPrompts(): void;
  setPrompts(prompts: PanelPrompt[]): void;
}

interface ValueElement extends HTMLElement {
  value: string;
}
interface CheckedElement extends HTMLElement {
  checked: boolean;
}

function nextId(prompts: readonly PanelPrompt[]): string {
  const taken = new Set(prompts.map((p) => p.id));
  let n = prompts.length + 1;
  while (taken.has(`custom-${n}`)) n++;
  return `custom-${n}`;
}

/**
 * The suite dropdown: the workspace's prompt files first, then the shipped suites, the loaded one selected (its value
 * is set again once the toolkit element is upgraded, which otherwise shows its first option). "custom prompts" is
 * listed only while the prompts are the user's own.
 */
function suiteDropdown(
  suites: readonly SuiteOption[],
  suite: string | null,
  disabled: boolean,
  load: (id: string) => void,
): HTMLElement {
  const dropdown = h('vscode-dropdown', { id: 'suite', 'aria-label': 'Prompt suite', disabled }) as ValueElement;
  if (suite === null) dropdown.append(h('vscode-option', { value: '', selected: true }, 'custom prompts'));
  for (const option of suites) {
    dropdown.append(
      h(
        'vscode-option',
        { value: option.id, selected: option.id === suite, title: option.detail, 'data-source': option.source },
        option.source === 'workspace' ? `${option.label} (workspace)` : option.label,
      ),
    );
  }
  const selected = suite ?? '';
  void customElements.whenDefined('vscode-dropdown').then(() => {
    requestAnimationFrame(() => {
      if (dropdown.value !== selected) dropdown.value = selected;
    });
  });
  on(dropdown, 'change', () => {
    if (dropdown.value && dropdown.value !== selected) load(dropdown.value);
  });
  return dropdown;
}

export function promptEditor(
  prompts: readonly PanelPrompt[],
  suites: readonly SuiteOption[],
  suite: string | null,
  disabled: boolean,
  actions: PromptEditorActions,
  expanded = true,
): HTMLElement {
  let editing: number | null = null;
  const dropdown = suiteDropdown(suites, suite, disabled, (id) => actions.loadSuite(id));

  const text = h('vscode-text-area', {
    id: 'prompt-text',
    rows: 3,
    resize: 'vertical',
    placeholder: 'A prompt to run on both models',
    disabled,
  }) as ValueElement;
  const expectsJson = h('vscode-checkbox', { id: 'prompt-json', disabled }, 'expects JSON') as CheckedElement;
  const save = h('vscode-button', { id: 'prompt-save', disabled }, 'Add Prompt');
  const list = h('ol', { class: 'prompt-list', 'aria-label': 'Prompts' });

  const startEdit = (index: number) => {
    const prompt = prompts[index];
    editing = index;
    text.value = prompt.prompt;
    expectsJson.checked = prompt.expectsJson === true;
    save.textContent = 'Save Prompt';
    text.focus();
  };
  prompts.forEach((prompt, index) => {
    list.append(
      h(
        'li',
        { class: 'prompt-item' },
        h('span', { class: 'prompt-line', title: prompt.prompt }, prompt.prompt),
        prompt.expectsJson ? h('span', { class: 'badge neutral' }, prompt.schema ? 'JSON + schema' : 'JSON') : null,
        on(
          h(
            'vscode-button',
            { appearance: 'icon', 'aria-label': `Edit prompt ${index + 1}`, title: 'Edit', disabled },
            '✎',
          ),
          'click',
          () => startEdit(index),
        ),
        on(
          h(
            'vscode-button',
            { appearance: 'icon', 'aria-label': `Remove prompt ${index + 1}`, title: 'Remove', disabled },
            '✕',
          ),
          'click',
          () => actions.setPrompts(prompts.filter((_, i) => i !== index)),
        ),
      ),
    );
  });
  on(save, 'click', () => {
    const value = text.value.trim();
    if (!value) return;
    const base = editing !== null ? prompts[editing] : { id: nextId(prompts) };
    const edited: PanelPrompt = { ...base, prompt: value, expectsJson: expectsJson.checked };
    const next = editing !== null ? prompts.map((p, i) => (i === editing ? edited : p)) : [...prompts, edited];
    actions.setPrompts(next);
  });

  const count = `${prompts.length} prompt${prompts.length === 1 ? '' : 's'}`;
  const source = suites.find((option) => option.id === suite);
  return h(
    'section',
    { class: 'prompts', 'aria-label': 'prompts' },
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'suite' }, 'Prompts'),
      dropdown,
      on(h('vscode-button', { appearance: 'secondary', disabled }, 'Import JSONL…'), 'click', () =>
        actions.importPrompts(),
      ),
      h('span', { class: 'muted', id: 'prompt-count', title: source?.detail }, count),
    ),
    h(
      'details',
      { class: 'prompts-box', open: expanded },
      h('summary', {}, `Edit the ${count}`),
      list,
      h('div', { class: 'prompt-form' }, text, h('div', { class: 'toolbar' }, expectsJson, save)),
    ),
  );
}
