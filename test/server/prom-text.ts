/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (HELP/TYPE lines, samples with
 * escaped label values, histogram bucket rules), used to check /metrics independently of
 * prom-client's writer; and `promtool check metrics` when Debian's prometheus is installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
  counter: [''],
  gauge: [''],
  untyped: [''],
};

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const where = `line ${i + 1}`;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
      const [, kind, name, ...rest] = line.split(' ');
      if (!NAME.test(name!)) throw new Error(`${where}: bad metric name ${name}`);
      const fam = families.get(name!) ?? { name: name!, type: 'untyped', help: '', samples: [] };
      if (kind === 'HELP') fam.help = rest.join(' ');
      else {
        if (fam.samples.length) throw new Error(`${where}: TYPE after samples of ${name}`);
        if (!(rest[0]! in SUFFIXES)) throw new Error(`${where}: unknown type ${rest[0]}`);
        fam.type = rest[0]!;
      }
      families.set(name!, fam);
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = parseSample(line, where);
    const fam = [...families.values()].find((f) => SUFFIXES[f.type]!.some((s) => f.name + s === sample.name));
    if (!fam) throw new Error(`${where}: sample ${sample.name} has no TYPE`);
    fam.samples.push(sample);
  }
  for (const fam of families.values()) if (fam.type === 'histogram') checkHistogram(fam);
  return families;
}

function parseSample(line: string, where: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
  if (!m) throw new Error(`${where}: not a sample: ${line}`);
  const labels: Record<string, string> = {};
  let rest = m[3] ?? '';
  while (rest.length) {
    const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    if (!lm) throw new Error(`${where}: bad labels: ${m[3]}`);
    if (lm[1]! in labels) throw new Error(`${where}: duplicate label ${lm[1]}`);
    labels[lm[1]!] = lm[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    rest = rest.slice(lm[0].length);
  }
  const raw = m[4]!;
  const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
  if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`${where}: bad value ${raw}`);
  return { name: m[1]!, labels, value };
}

function checkHistogram(fam: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of fam.samples.filter((x) => x.name.endsWith('_bucket'))) {
    const { le, ...rest } = s.labels;
    if (le === undefined) throw new Error(`${fam.name}: bucket without le`);
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, buckets] of series) {
    let prev = -1;
    for (const b of buckets) {
      if (b.value < prev) throw new Error(`${fam.name}${key}: buckets not cumulative`);
      prev = b.value;
    }
    const inf = buckets.find((b) => b.labels.le === '+Inf');
    const count = fam.samples.find((s) => s.name === `${fam.name}_count` && JSON.stringify(s.labels) === key);
    if (!inf || !count || inf.value !== count.value) throw new Error(`${fam.name}${key}: +Inf bucket must equal _count`);
  }
}

export const PROMTOOL = '/usr/bin/promtool';

/** `promtool check metrics` (lint off: prom-client's default metrics are fine); null when promtool is missing. */
export function promtoolCheck(text: string): { ok: boolean; output: string } | null {
  if (!existsSync(PROMTOOL)) return null;
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
