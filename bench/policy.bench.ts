// Policy engine throughput: decisions per second for a device with 20 events (goal: 100,000/s on
// one core, issue 2). Reported beside a baseline measured in the same run on the same input, a JSON
// round-trip of the case, because these machines are shared and absolute figures drift.
import { Bench } from 'tinybench';
import { decide, getShippedPack, computeCoverage, type DeviceEvent } from '../src/policy/index.ts';

export async function run(): Promise<void> {
  const pack = getShippedPack('itema');
  const device = {
    category: 'laptop',
    condition: 'refurbished' as const,
    term: '24 months',
    parts: [
      { id: 'battery-1', category: 'battery' },
      { id: 'adapter-1', category: 'adapter' },
    ],
  };
  // 20 events: a sale, 8 repairs (16 events), a module added, a transfer, a dispute opened.
  const events: DeviceEvent[] = [{ type: 'sale', date: '2025-01-10' }];
  for (let i = 0; i < 8; i++) {
    const m = String(2 + i).padStart(2, '0');
    events.push({ type: 'repair-accepted', date: `2025-${m}-03` }, { type: 'repair-completed', date: `2025-${m}-12` });
  }
  events.push({ type: 'module-added', date: '2025-10-01', partId: 'ssd-2', category: 'ssd', term: '12 months' });
  events.push({ type: 'ownership-transferred', date: '2025-11-01' });
  events.push({ type: 'dispute-opened', date: '2025-12-01' });
  const claim = { date: '2026-01-05', diagnosed: true, findings: ['liquid-ingress'], country: 'BG', proofs: { warrantyCard: true, invoice: true } };
  const history = { device, events };
  const caseJson = JSON.stringify({ claim, history });

  const sanity = decide(claim, history, pack, '2026-01-10');
  if (sanity.reasons.length === 0) throw new Error('the benchmark case produced no reasons');

  const bench = new Bench({ time: 2000, warmupTime: 500 });
  bench
    .add('baseline: JSON round-trip of the case', () => {
      JSON.parse(caseJson);
    })
    .add('computeCoverage, 20 events', () => {
      computeCoverage(device, events, pack, '2026-01-10');
    })
    .add('decide, 20 events', () => {
      decide(claim, history, pack, '2026-01-10');
    })
    .add('decide + JSON of the answer (every text built)', () => {
      JSON.stringify(decide(claim, history, pack, '2026-01-10'));
    });
  await bench.run();

  const opsPerSecond = (r: unknown): number => {
    const res = r as { state?: string; throughput?: { mean: number } };
    if (!res.throughput) throw new Error(`benchmark task did not complete (${res.state ?? 'no result'})`);
    return res.throughput.mean;
  };
  const hz = (name: string) => opsPerSecond(bench.tasks.find((t) => t.name === name)!.result);
  const base = hz('baseline: JSON round-trip of the case');
  console.log('\n## Policy engine (one core)');
  console.log('| task | ops/s | ratio to baseline |');
  console.log('| --- | ---: | ---: |');
  for (const t of bench.tasks) {
    const r = opsPerSecond(t.result);
    console.log(`| ${t.name} | ${Math.round(r).toLocaleString('en')} | ${(r / base).toFixed(2)} |`);
  }
  const d = hz('decide, 20 events');
  console.log(`\ndecisions per second (20 events): ${Math.round(d).toLocaleString('en')} — goal 100,000: ${d >= 100_000 ? 'met' : 'NOT met'}`);
}
