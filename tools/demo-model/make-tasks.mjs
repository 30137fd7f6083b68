// Task files for the demo model, made from the held-out data already in demo/prompts (packages never seen in
// training), so they are reproducible without Debian's lists:
//   debian-heldout-mc.jsonl     cloze multiple choice: the JSON answer's prefix as context, each choice as the
//                               continuation. "Which section?" (the right section and the 3 most common other
//                               sections of the held-out set) and "which priority?" (all five Debian priorities).
//   debian-heldout-tasks.jsonl  the prompts of debian-heldout.jsonl (same ids, same order) with instruction checks
//                               on the JSON answers: JSON only, no preamble, required keys, value types, the
//                               package name echoed, a one-line summary of at most 80 characters (Debian policy
//                               5.6.13 asks synopses to stay under 80 characters).
// Usage: node tools/demo-model/make-tasks.mjs
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const prompts = path.join(root, 'demo', 'prompts');
const PRIORITIES = ['required', 'important', 'standard', 'optional', 'extra'];

function writeAtomic(file, text) {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

const answers = readFileSync(path.join(prompts, 'debian-heldout-corpus.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('{"name": '))
  .map((line) => JSON.parse(line));

const sectionCounts = new Map();
for (const a of answers) sectionCounts.set(a.section, (sectionCounts.get(a.section) ?? 0) + 1);
const bySize = [...sectionCounts.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([s]) => s);

const items = [{ description: 'Cloze multiple choice over held-out Debian packages: which section, which priority.' }];
for (const a of answers) {
  const prompt = `Describe the Debian package ${a.name} as JSON.`;
  const sections = [a.section, ...bySize.filter((s) => s !== a.section).slice(0, 3)].sort();
  items.push({
    id: `section-${a.name}`,
    subject: 'section',
    prompt,
    context: `{"name": "${a.name}", "section": "`,
    choices: sections.map((s) => `${s}"`),
    answer: sections.indexOf(a.section),
  });
  items.push({
    id: `priority-${a.name}`,
    subject: 'priority',
    prompt,
    context: `{"name": "${a.name}", "section": "${a.section}", "priority": "`,
    choices: PRIORITIES.map((p) => `${p}"`),
    answer: PRIORITIES.indexOf(a.priority),
  });
}
writeAtomic(path.join(prompts, 'debian-heldout-mc.jsonl'), `${items.map((i) => JSON.stringify(i)).join('\n')}\n`);

const heldout = readFileSync(path.join(prompts, 'debian-heldout.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line));
const withChecks = heldout.map((p) => {
  if (!p.expectsJson) return p;
  const name = /Describe the Debian package (\S+) as JSON\./.exec(p.prompt)[1];
  return {
    ...p,
    checks: [
      { type: 'json-only' },
      { type: 'no-preamble' },
      { type: 'required-keys', value: ['name', 'section', 'priority', 'architecture', 'depends', 'summary'] },
      {
        type: 'key-types',
        value: {
          name: 'string',
          section: 'string',
          priority: 'string',
          architecture: 'string',
          depends: 'array',
          summary: 'string',
        },
      },
      { type: 'starts-with', value: `{"name": "${name}"` },
      { type: 'max-chars', key: 'summary', value: 80 },
    ],
  };
});
writeAtomic(
  path.join(prompts, 'debian-heldout-tasks.jsonl'),
  `${withChecks.map((p) => JSON.stringify(p)).join('\n')}\n`,
);
process.stdout.write(`${items.length - 1} multiple-choice items, ${withChecks.length} prompts with checks\n`);
