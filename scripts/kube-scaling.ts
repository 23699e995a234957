// pattern: Imperative Shell
// `npm run -s kube-scaling [-- --json]`: iptables rules the node examines for a
// new connection to the last of N Services, kube-proxy iptables mode vs IPVS mode.
import { measureScaling } from '../src/scenarios/kube-proxy-scaling';

const points = measureScaling([1, 100, 1000, 10000]);
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(points)}\n`);
else {
  console.log('services   iptables mode   IPVS mode   (iptables rules examined for a new connection)');
  for (const p of points) console.log(`${String(p.services).padStart(8)} ${String(p.iptables).padStart(15)} ${String(p.ipvs).padStart(11)}`);
}
