/** Per-token KL(base||quant) as an inline SVG bar chart, the divergence point marked. No remote scripts. */
import { formatNumber, h, svg } from './dom';

const WIDTH = 640;
const HEIGHT = 120;
const PAD_LEFT = 44;
const PAD_BOTTOM = 18;
const PAD_TOP = 10;

export function klChart(kld: readonly number[], divergence: number | null, label: string): SVGElement {
  const finite = kld.map((value) => (Number.isFinite(value) && value > 0 ? value : 0));
  const max = Math.max(1e-6, ...finite);
  const plotW = WIDTH - PAD_LEFT - 4;
  const plotH = HEIGHT - PAD_TOP - PAD_BOTTOM;
  const step = plotW / Math.max(1, finite.length);
  const barW = Math.max(1, step - (step > 3 ? 1 : 0));
  const described =
    `${label}: KL per generated token, ${finite.length} tokens, max ${formatNumber(max)}` +
    (divergence === null ? ', outputs identical' : `, outputs diverge at token ${divergence}`);
  const chart = svg(
    'svg',
    {
      class: 'kl-chart',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-label': described,
      preserveAspectRatio: 'none',
    },
    svg('title', {}, described),
    svg('line', { class: 'axis', x1: PAD_LEFT, y1: PAD_TOP + plotH, x2: WIDTH - 4, y2: PAD_TOP + plotH }),
    svg('text', { class: 'tick', x: PAD_LEFT - 4, y: PAD_TOP + 8, 'text-anchor': 'end' }, formatNumber(max, 3)),
    svg('text', { class: 'tick', x: PAD_LEFT - 4, y: PAD_TOP + plotH, 'text-anchor': 'end' }, '0'),
    svg('text', { class: 'tick', x: PAD_LEFT, y: HEIGHT - 4 }, 'token 0'),
    svg('text', { class: 'tick', x: WIDTH - 4, y: HEIGHT - 4, 'text-anchor': 'end' }, `${finite.length}`),
  );
  finite.forEach((value, index) => {
    const barH = (value / max) * plotH;
    const after = divergence !== null && index >= divergence;
    chart.append(
      svg(
        'rect',
        {
          class: after ? 'bar after' : 'bar',
          x: PAD_LEFT + index * step,
          y: PAD_TOP + plotH - barH,
          width: barW,
          height: Math.max(barH, 0.5),
        },
        svg('title', {}, `token ${index}: KL ${formatNumber(kld[index] ?? 0)}`),
      ),
    );
  });
  if (divergence !== null && divergence <= finite.length) {
    const x = PAD_LEFT + divergence * step;
    chart.append(
      svg('line', { class: 'divergence', x1: x, y1: PAD_TOP - 4, x2: x, y2: PAD_TOP + plotH }),
      // Left of the line when it sits in the right half, so the label never covers the bars after it.
      x > WIDTH / 2
        ? svg(
            'text',
            { class: 'divergence-label', x: x - 4, y: PAD_TOP + 4, 'text-anchor': 'end' },
            `diverges @${divergence}`,
          )
        : svg('text', { class: 'divergence-label', x: x + 4, y: PAD_TOP + 4 }, `diverges @${divergence}`),
    );
  }
  return chart;
}

/** What the chart's marks mean, as text beside it (the colours follow the theme, so they are named by role). */
export function chartLegend(diverged: boolean): HTMLElement {
  return h(
    'div',
    { class: 'chart-legend', 'aria-label': 'chart legend' },
    h(
      'span',
      {},
      h('span', { class: 'swatch bar' }),
      ' KL(base‖quant) at each token of the base answer (taller = more drift)',
    ),
    diverged ? h('span', {}, h('span', { class: 'swatch after' }), ' after the answers diverge') : null,
    diverged ? h('span', {}, h('span', { class: 'swatch divergence' }), ' first divergent token') : null,
  );
}
