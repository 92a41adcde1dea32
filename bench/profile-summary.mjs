// Summarises V8 .cpuprofile files (from --cpu-prof): self time aggregated by function name + url,
// the top N per file. `node bench/profile-summary.mjs [dir=bench/results/profiles] [N=15]`
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export function summariseProfile(path, top = 15) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  // timeDeltas[i] is the time before samples[i]; attribute it to that sample's node.
  const deltas = profile.timeDeltas ?? [];
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const us = Math.max(0, deltas[i + 1] ?? 0);
    selfUs.set(id, (selfUs.get(id) ?? 0) + us);
    totalUs += us;
  });
  const byFunction = new Map();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    const url = (callFrame.url || '').replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/dist\//, 'dist/');
    const key = `${callFrame.functionName || '(anonymous)'}  ${url}${url ? `:${callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const idleUs = [...byFunction].filter(([k]) => k.startsWith('(idle)') || k.startsWith('(program)')).reduce((a, [, v]) => a + v, 0);
  const idleOnly = byFunction.get('(idle)  ') ?? 0;
  const rows = [...byFunction].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, us]) => ({ fn, ms: Math.round(us / 100) / 10, pct: Math.round((us / (totalUs - idleOnly)) * 1000) / 10 }));
  // Grouped by package / area, busy time only.
  const areas = new Map();
  for (const [k, us] of byFunction) {
    if (k.startsWith('(idle)')) continue;
    const url = k.split('  ')[1] ?? '';
    const area = url.startsWith('node_modules/') ? url.split('/').slice(1, url.split('/')[1].startsWith('@') ? 3 : 2).join('/') : url.startsWith('dist/') ? url.split('/').slice(0, 4).join('/') : url.startsWith('node:') ? 'node internals' : k.startsWith('(') ? k.split('  ')[0] : url ? 'other' : 'native / builtins';
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busyUs = totalUs - (byFunction.get('(idle)  ') ?? 0);
  const areaRows = [...areas].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([area, us]) => ({ area, ms: Math.round(us / 100) / 10, pctOfBusy: Math.round((us / busyUs) * 1000) / 10 }));
  return { file: basename(path), totalMs: Math.round(totalUs / 1000), busyMs: Math.round(busyUs / 1000), idleOrProgramMs: Math.round(idleUs / 1000), top: rows, areas: areaRows };
}

export function summariseDir(dir, top = 15) {
  return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().map((f) => summariseProfile(join(dir, f), top));
}

export function profileMarkdown(summaries) {
  const lines = ['# CPU profile summary (self time)', ''];
  for (const s of summaries) {
    lines.push(`## ${s.file} — ${s.totalMs} ms sampled, ${s.busyMs} ms busy`, '', '| self ms | % of busy | function  url:line |', '| --- | --- | --- |');
    for (const r of s.top) lines.push(`| ${r.ms} | ${r.pct} | \`${r.fn}\` |`);
    lines.push('', '| area | self ms | % of busy |', '| --- | --- | --- |');
    for (const a of s.areas) lines.push(`| ${a.area} | ${a.ms} | ${a.pctOfBusy} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const dir = process.argv[2] ?? join(import.meta.dirname, 'results/profiles');
  console.log(profileMarkdown(summariseDir(dir, Number(process.argv[3] ?? 15))));
}
