// pattern: Imperative Shell
// A dev-only bench for the graph components (served by `npm run dev` at
// /src/app/graph/dev.html, never built): the built-in scenario in the real
// worker, with step buttons. ?rules=N adds N rules to the router's filter
// FORWARD to try the rule list with a large ruleset; ?full keeps all the
// scenario's traffic steps (default: the first one only).

import '../../index.css';
import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createEngineClient } from '../../worker/client';
import { spawnEngineWorker } from '../shell/engine';
import type { WalkLog } from '../../engine/walk-log';
import { BUILT_IN } from '../../scenarios/built-in';
import type { Case } from '../../engine/scenario/case';
import { FlowGraph } from './FlowGraph';
import { Topology } from './Topology';
import { ChainRules } from './ChainRules';

const client = createEngineClient(spawnEngineWorker);
const params = new URLSearchParams(location.search);

function caseObject(): Case {
  const c = structuredClone(BUILT_IN);
  if (!params.has('full')) c.steps = c.steps?.slice(0, 1);
  const n = Math.min(100_000, Number(params.get('rules') ?? 0));
  const router = c.hosts.find((h) => h.name === 'router')!;
  const extra: string[] = [];
  for (let i = 0; i < n; i++) extra.push(`iptables -A FORWARD -s 10.${(i >> 8) & 255}.${i & 255}.0/24 -p tcp --dport ${1 + (i % 1000)} -j DROP`);
  router.setup?.splice(4, 0, ...extra);
  return c;
}

function Bench() {
  const [log, setLog] = useState<WalkLog | null>(null);
  const [index, setIndex] = useState(0);
  const [host, setHost] = useState<string | null>(null);
  const [chain, setChain] = useState<string | null>(null);
  const [walk, setWalk] = useState<{ lab: number; walk: number } | null>(null);
  useEffect(() => {
    void (async () => {
      const o = await client.open(caseObject());
      if (!o.ok) return console.error(o.errors);
      const r = await client.send(o.lab, null, false);
      if (!r.ok) return console.error(r.errors);
      setLog(r.log);
      setWalk({ lab: o.lab, walk: r.walk });
    })();
  }, []);
  const explain = useCallback((i: number) => (walk ? client.explain(walk.lab, walk.walk, i) : Promise.resolve([])), [walk]);
  useEffect(() => {
    if (log) (window as unknown as { __bench: unknown }).__bench = { log, index };
  }, [log, index]);
  if (!log) return <p>Simulating…</p>;
  const step = log.steps[index];
  const shown = host ?? step?.host ?? log.hosts[0]!.name;
  const ruleChain = chain ?? (step?.kind === 'rule' && step.host === shown ? `${step.table} ${step.chain}` : 'filter FORWARD');
  return (
    <main className="flex flex-col gap-3 p-3">
      <div className="flex items-center gap-2">
        <button type="button" className="rounded border px-3 py-1" onClick={() => setIndex((i) => Math.max(0, i - 1))}>
          Step back
        </button>
        <button type="button" className="rounded border px-3 py-1" onClick={() => setIndex((i) => Math.min(log.steps.length - 1, i + 1))}>
          Step forward
        </button>
        <span>
          step {index} / {log.steps.length - 1}: {step?.host} {step?.kind} {step?.node}
        </span>
      </div>
      <section aria-label="Topology" className="h-48 rounded border">
        <Topology log={log} index={index} selected={shown} onSelectHost={setHost} />
      </section>
      <section aria-label="Flow graph" className="h-[36rem] rounded border">
        <FlowGraph log={log} index={index} host={shown} onSelectChain={setChain} selectedChain={chain} />
      </section>
      <section aria-label="Chain rules" className="h-80 rounded border">
        <ChainRules log={log} index={index} host={shown} chain={ruleChain} explain={explain} page={(table, name, asOf, from, count) => (walk ? client.chain(walk.lab, walk.walk, shown, table, name, asOf, from, count) : Promise.resolve(null))} />
      </section>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Bench />
  </StrictMode>,
);
