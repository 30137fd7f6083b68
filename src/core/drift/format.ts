/**
 * The compare report as json (the shape scripts rely on), Markdown, and a self-contained HTML page
 * (inline CSS and SVG, no scripts, every piece of model text escaped).
 */
import { jsonOutcome } from '../../protocol/json-outcome';
import type { CompareReport, GenerationSide, PercentileSet, PromptResult, TopKCandidate } from '../../protocol/report';
import { taskTables } from '../tasks/tables';

export type ReportFormat = 'json' | 'md' | 'html';

export function formatReport(report: CompareReport, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'md':
      return formatMarkdown(report);
    case 'html':
      return formatHtml(report);
  }
}

// ---- shared numbers ---------------------------------------------------------------------------

const fixed = (value: number | null | undefined, digits: number): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
const percent = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(1)}%`;
const kl = (value: number | null | undefined): string => fixed(value, 4);

function jsonCell(side: GenerationSide): string {
  const v = side.jsonValid;
  if (!v) return '';
  const outcome = jsonOutcome(side);
  // Cut off at the limit or never closed: neither is judged against the schema.
  if (outcome === 'truncated') return `truncated at ${side.tokens} tokens (not judged)`;
  if (outcome === 'incomplete') return 'incomplete JSON ✗';
  const parts = [v.strict ? 'strict ✓' : v.extracted ? 'extracted only' : 'invalid ✗'];
  if (v.schemaValid !== undefined) parts.push(v.schemaValid ? 'schema ✓' : 'schema ✗');
  return parts.join(', ');
}

interface Row {
  readonly label: string;
  readonly value: string;
}

function summaryRows(report: CompareReport): Row[] {
  const s = report.summary;
  const rows: Row[] = [];
  if (!report.corpus) {
    rows.push({ label: 'Prompts', value: String(s.prompts) });
    rows.push({ label: 'Identical outputs', value: `${s.identicalOutputs} of ${s.prompts}` });
  }
  rows.push(
    { label: 'Tokens scored', value: String(s.tokensScored ?? '–') },
    { label: 'Perplexity base / quant', value: `${fixed(s.pplBase, 3)} / ${fixed(s.pplQuant, 3)}` },
    { label: 'Perplexity ratio (quant / base)', value: fixed(s.pplRatio, 4) },
    { label: 'Mean KL(base‖quant)', value: kl(s.meanKld) },
    { label: 'KL p99 / max', value: `${kl(s.kldP99)} / ${kl(s.maxKld)}` },
    { label: 'Same top-1', value: percent(s.sameTop1) },
    { label: 'Δp RMS', value: percent(s.deltaPRms) },
    { label: 'Δp mean', value: percent(s.deltaPMean) },
  );
  if (!report.corpus) {
    if (s.kldGrowth !== undefined && s.kldGrowth !== null)
      rows.push({ label: 'KL growth (last ¼ / first ¼)', value: fixed(s.kldGrowth, 2) });
    if (s.jsonValidBase !== null) {
      rows.push({
        label: 'JSON valid, strict (base / quant)',
        value: `${percent(s.jsonValidBase)} / ${percent(s.jsonValidQuant)}`,
      });
      if (s.jsonPrompts !== undefined && s.jsonValidFinishedBase !== undefined) {
        rows.push({
          label: 'JSON truncated at the token limit (base / quant)',
          value: `${s.jsonTruncatedBase ?? 0} / ${s.jsonTruncatedQuant ?? 0} of ${s.jsonPrompts}`,
        });
        rows.push({
          label: 'JSON valid among answers that ended (base / quant)',
          value: `${percent(s.jsonValidFinishedBase)} / ${percent(s.jsonValidFinishedQuant)}`,
        });
      }
      rows.push({
        label: 'JSON found, extracted (base / quant)',
        value: `${percent(s.jsonExtractedBase)} / ${percent(s.jsonExtractedQuant)}`,
      });
    }
    if (s.schemaValidBase !== undefined && s.schemaValidBase !== null) {
      rows.push({
        label: 'Schema valid (base / quant)',
        value: `${percent(s.schemaValidBase)} / ${percent(s.schemaValidQuant)}`,
      });
    }
    rows.push({ label: 'Length shift (quant − base tokens)', value: fixed(s.eosShift, 2) });
  }
  return rows;
}

function percentileRow(p: PercentileSet | undefined, format: (v: number) => string): string[] {
  if (!p) return [];
  return [p.p999, p.p99, p.p95, p.p90, p.p50, p.p10, p.p5, p.p1].map(format);
}
const PERCENTILE_HEADERS = ['99.9%', '99%', '95%', '90%', 'median', '10%', '5%', '1%'];

/** Headers and rows of the KL and Δp percentile table, shared by the Markdown and HTML reports. */
function percentileTable(s: CompareReport['summary']): [string[], string[][]] {
  return [
    ['', ...PERCENTILE_HEADERS],
    [
      ['KL', ...percentileRow(s.kldPercentiles, (v) => kl(v))],
      ['Δp', ...percentileRow(s.deltaPPercentiles, (v) => percent(v))],
    ],
  ];
}

function settingsLine(report: CompareReport): string {
  const st = report.settings;
  const parts = [
    `EP ${st.executionProvider}`,
    `threads ${st.threads || 'auto'}`,
    `accuracy_level ${st.accuracyLevel ?? 'n/a'}`,
  ];
  if (!report.corpus) {
    parts.unshift(
      st.jsonMaxNewTokens === undefined
        ? `max new tokens ${st.maxNewTokens}`
        : `max new tokens ${st.maxNewTokens} (JSON prompts: until EOS, up to ${st.jsonMaxNewTokens})`,
    );
  }
  if (report.summary.partial) parts.push('partial: cancelled');
  if (st.pairMode) parts.push(st.pairMode === 'together' ? 'both models in memory' : 'one model at a time');
  if (report.durationMs !== undefined) parts.push(`${(report.durationMs / 1000).toFixed(1)} s`);
  return parts.join(' · ');
}

const divergenceText = (r: PromptResult): string =>
  r.firstDivergence === null ? 'identical' : `token ${r.firstDivergence}`;

// ---- Markdown ---------------------------------------------------------------------------------

/**
 * Values from the models, the prompt file, the paths and the schema are inserted into the Markdown as text
 * that no renderer turns into HTML, links, emphasis or new blocks: `mdText` for prose (HTML's `& < >` as
 * entities, inline Markdown syntax backslash-escaped as CommonMark allows for any ASCII punctuation, a block
 * marker at the start escaped, line breaks folded) and `mdCode` for names, paths and tokens (a code span,
 * whose content renderers show literally). Only the fences hold raw text.
 */
const LINE_BREAKS = /[\r\n\v\f\u0085\u2028\u2029]+/g;
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function mdText(text: string): string {
  return text
    .replace(LINE_BREAKS, ' ')
    .trimStart()
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c])
    .replace(/[\\`*_[\]~]/g, '\\$&')
    .replace(/^([#+\-=]|\d+(?=[.)]))/, (start) => (/\d/.test(start) ? `${start}\\` : `\\${start}`));
}

export function mdCode(text: string): string {
  const flat = text.replace(LINE_BREAKS, ' ');
  if (flat === '') return '';
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat.trim() === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Cells are Markdown already (mdText, mdCode or numbers); a pipe would end the cell, in code spans too (GFM). */
const mdCell = (markdown: string): string => markdown.replace(/\|/g, '\\|');

function mdFence(text: string): string {
  let fence = '```';
  while (text.includes(fence)) fence += '`';
  return `${fence}text\n${text}\n${fence}`;
}

function mdTable(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ].join('\n');
}

function mdTopK(base: readonly TopKCandidate[], quant: readonly TopKCandidate[]): string {
  const rows: string[][] = [];
  for (let i = 0; i < Math.max(base.length, quant.length); i++) {
    const b = base[i];
    const q = quant[i];
    rows.push([
      String(i + 1),
      b ? `${mdCode(JSON.stringify(b.token))} ${percent(b.prob)}` : '',
      q ? `${mdCode(JSON.stringify(q.token))} ${percent(q.prob)}` : '',
    ]);
  }
  return mdTable(['rank', 'base', 'quant'], rows);
}

export function formatMarkdown(report: CompareReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(`# Quant Drift report: ${mdText(s.verdict.toUpperCase())}`, '');
  for (const reason of s.reasons) out.push(`- ${mdText(reason)}`);
  out.push(
    '',
    mdTable(
      ['', 'path', 'weights'],
      [
        ['base', mdCode(report.base.path), mdText(report.base.weights)],
        ['quant', mdCode(report.quant.path), mdText(report.quant.weights)],
      ],
    ),
  );
  out.push(
    '',
    mdText(settingsLine(report)),
    '',
    '## Summary',
    '',
    mdTable(
      ['metric', 'value'],
      summaryRows(report).map((r) => [r.label, r.value]),
    ),
  );
  if (s.kldPercentiles) {
    out.push('', '### Percentiles', '', mdTable(...percentileTable(s)));
  }
  for (const table of taskTables(report)) {
    out.push(
      '',
      `## ${table.title}`,
      '',
      table.note,
      '',
      mdTable(
        [...table.headers],
        table.rows.map((r) => [...r]),
      ),
    );
  }
  if (report.corpus) {
    const c = report.corpus;
    out.push(
      '',
      '## Corpus',
      '',
      `${mdCode(c.file)}: ${c.windows} windows of ${c.context} tokens, ${c.tokens} tokens scored (second half of each window).`,
    );
  }
  if (report.prompts.length) {
    out.push('', '## Prompts', '');
    out.push(
      mdTable(
        [
          'id',
          'divergence',
          'mean KL',
          'max KL',
          'same top-1',
          'PPL base',
          'PPL quant',
          'tokens base/quant',
          'JSON base',
          'JSON quant',
        ],
        report.prompts.map((r) => [
          mdCode(r.id),
          divergenceText(r),
          kl(r.teacherForced.meanKld),
          kl(r.teacherForced.maxKld),
          percent(r.teacherForced.sameTop1),
          fixed(r.teacherForced.pplBase, 3),
          fixed(r.teacherForced.pplQuant, 3),
          `${r.base.tokens}/${r.quant.tokens}`,
          jsonCell(r.base),
          jsonCell(r.quant),
        ]),
      ),
    );
    for (const r of report.prompts) {
      out.push('', `### ${mdCode(r.id)} (${divergenceText(r)})`, '', '**Prompt**', '', mdFence(r.prompt), '');
      out.push(`**Base** (${r.base.tokens} tokens, ${mdText(r.base.finishReason)})`, '', mdFence(r.base.text), '');
      if (r.firstDivergence !== null) {
        out.push(
          `**Quant** (${r.quant.tokens} tokens, ${mdText(r.quant.finishReason)})`,
          '',
          mdFence(r.quant.text),
          '',
        );
        if (r.topKAtDivergence)
          out.push(
            `Top candidates at token ${r.firstDivergence}:`,
            '',
            mdTopK(r.topKAtDivergence.base, r.topKAtDivergence.quant),
            '',
          );
      } else {
        out.push('Quant output is identical.', '');
      }
      const schemaErrors = [...(r.quant.jsonValid?.schemaErrors ?? [])];
      if (schemaErrors.length) out.push(`Quant schema errors: ${mdText(schemaErrors.join('; '))}`, '');
    }
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

// ---- HTML -------------------------------------------------------------------------------------

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Generated text with the tokens from the divergence point on marked. */
function htmlGenerated(side: GenerationSide, divergence: number | null): string {
  const pieces = side.tokenTexts;
  if (!pieces || divergence === null || divergence >= pieces.length) return escapeHtml(side.text);
  const same = pieces.slice(0, divergence).join('');
  const rest = pieces.slice(divergence).join('');
  return `${escapeHtml(same)}<mark>${escapeHtml(rest)}</mark>`;
}

function sparkline(values: readonly number[] | undefined): string {
  if (!values || values.length < 2) return '';
  const width = 240;
  const height = 36;
  const max = Math.max(...values, 1e-9);
  const points = values.map(
    (v, i) => `${((i / (values.length - 1)) * width).toFixed(1)},${(height - (v / max) * (height - 2) - 1).toFixed(1)}`,
  );
  return (
    `<svg class="spark" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="KL per token, max ${escapeHtml(kl(max))}">` +
    `<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${points.join(' ')}"/></svg>`
  );
}

function htmlTable(headers: string[], rows: string[][], className = ''): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function htmlTopK(base: readonly TopKCandidate[], quant: readonly TopKCandidate[]): string {
  const rows: string[][] = [];
  for (let i = 0; i < Math.max(base.length, quant.length); i++) {
    const cell = (c: TopKCandidate | undefined): string =>
      c ? `<code>${escapeHtml(JSON.stringify(c.token))}</code> ${percent(c.prob)}` : '';
    rows.push([String(i + 1), cell(base[i]), cell(quant[i])]);
  }
  return htmlTable(['rank', 'base', 'quant'], rows, 'topk');
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0;
  --ok: #1a7f37; --warn: #9a6700; --fail: #d1242f; --mark: #fff1b8; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --line: #3d444d;
  --ok: #3fb950; --warn: #d29922; --fail: #f85149; --mark: #5a4a12; } }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 12px; color: #fff; font-weight: 600; letter-spacing: .04em; }
.verdict.ok { background: var(--ok); } .verdict.warn { background: var(--warn); } .verdict.fail { background: var(--fail); }
.muted { color: var(--muted); } ul.reasons { margin: 8px 0 16px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; margin: 12px 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.card .label { color: var(--muted); font-size: 12px; } .card .value { font-size: 18px; font-weight: 600; }
details.prompt { border: 1px solid var(--line); border-radius: 6px; margin: 10px 0; padding: 8px 12px; }
details.prompt summary { cursor: pointer; } .outputs { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin-top: 8px; }
pre { white-space: pre-wrap; word-break: break-word; background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 8px; margin: 4px 0; font: 12.5px/1.45 ui-monospace, "SF Mono", Menlo, Consolas, monospace; }
mark { background: var(--mark); color: inherit; } .spark { color: var(--warn); vertical-align: middle; }
code { font: 12.5px ui-monospace, Menlo, Consolas, monospace; } .topk { width: auto; }
`;

export function formatHtml(report: CompareReport): string {
  const s = report.summary;
  const cards = summaryRows(report)
    .map(
      (r) =>
        `<div class="card"><div class="label">${escapeHtml(r.label)}</div><div class="value">${escapeHtml(r.value)}</div></div>`,
    )
    .join('\n');
  const parts: string[] = [];
  parts.push(`<h1>Quant Drift report <span class="verdict ${s.verdict}">${s.verdict.toUpperCase()}</span></h1>`);
  parts.push(`<ul class="reasons">${s.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`);
  parts.push(
    htmlTable(
      ['', 'path', 'weights'],
      [
        ['base', `<code>${escapeHtml(report.base.path)}</code>`, escapeHtml(report.base.weights)],
        ['quant', `<code>${escapeHtml(report.quant.path)}</code>`, escapeHtml(report.quant.weights)],
      ],
    ),
  );
  parts.push(`<p class="muted">${escapeHtml(settingsLine(report))}</p>`);
  parts.push('<h2>Summary</h2>', `<div class="cards">${cards}</div>`);
  if (s.kldPercentiles) {
    parts.push(htmlTable(...percentileTable(s)));
  }
  for (const table of taskTables(report)) {
    parts.push(
      `<h2>${escapeHtml(table.title)}</h2>`,
      `<p class="muted">${escapeHtml(table.note)}</p>`,
      htmlTable(
        [...table.headers],
        table.rows.map((r) => r.map(escapeHtml)),
      ),
    );
  }
  if (report.corpus) {
    const c = report.corpus;
    parts.push(
      '<h2>Corpus</h2>',
      `<p><code>${escapeHtml(c.file)}</code>: ${c.windows} windows of ${c.context} tokens, ${c.tokens} tokens scored (second half of each window).</p>`,
    );
  }
  if (report.prompts.length) {
    parts.push('<h2>Prompts</h2>');
    parts.push(
      htmlTable(
        [
          'id',
          'divergence',
          'mean KL',
          'KL per token',
          'same top-1',
          'PPL base / quant',
          'tokens base / quant',
          'JSON base',
          'JSON quant',
        ],
        report.prompts.map((r) => [
          `<a href="#p-${escapeHtml(r.id)}">${escapeHtml(r.id)}</a>`,
          escapeHtml(divergenceText(r)),
          kl(r.teacherForced.meanKld),
          sparkline(r.teacherForced.kldPerToken),
          percent(r.teacherForced.sameTop1),
          `${fixed(r.teacherForced.pplBase, 3)} / ${fixed(r.teacherForced.pplQuant, 3)}`,
          `${r.base.tokens} / ${r.quant.tokens}`,
          escapeHtml(jsonCell(r.base)),
          escapeHtml(jsonCell(r.quant)),
        ]),
      ),
    );
    for (const r of report.prompts) {
      const open = r.firstDivergence !== null ? ' open' : '';
      const topk = r.topKAtDivergence
        ? `<p>Top candidates at token ${r.firstDivergence}:</p>${htmlTopK(r.topKAtDivergence.base, r.topKAtDivergence.quant)}`
        : '';
      const errors = r.quant.jsonValid?.schemaErrors.length
        ? `<p class="muted">Quant schema errors: ${escapeHtml(r.quant.jsonValid.schemaErrors.join('; '))}</p>`
        : '';
      parts.push(
        `<details class="prompt" id="p-${escapeHtml(r.id)}"${open}><summary><h3 style="display:inline">${escapeHtml(r.id)}</h3> ` +
          `<span class="muted">${escapeHtml(divergenceText(r))} · mean KL ${kl(r.teacherForced.meanKld)}</span></summary>` +
          `<pre>${escapeHtml(r.prompt)}</pre><div class="outputs">` +
          `<div><strong>Base</strong> <span class="muted">${r.base.tokens} tokens, ${r.base.finishReason}</span><pre>${htmlGenerated(r.base, r.firstDivergence)}</pre></div>` +
          `<div><strong>Quant</strong> <span class="muted">${r.quant.tokens} tokens, ${r.quant.finishReason}</span><pre>${htmlGenerated(r.quant, r.firstDivergence)}</pre></div>` +
          `</div>${topk}${errors}</details>`,
      );
    }
  }
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    `<title>Quant Drift: ${escapeHtml(s.verdict)}</title><style>${STYLE}</style></head>\n<body>\n${parts.join('\n')}\n</body></html>\n`
  );
}
