// pattern: Functional Core
// "Linear rule matching vs hash lookup" as numbers the engine measures: for
// a cluster of N Services, how many iptables rules the node examines for the
// first packet of a connection to the last Service, in kube-proxy's
// iptables mode and in its IPVS mode.

import { runCase } from '../engine/run-case';
import { walkLog } from '../engine/walk-log';
import { kubeProxyCase, type KubeProxyMode } from './kube-proxy';

export interface ScalingPoint {
  services: number;
  iptables: number;
  ipvs: number;
}

/** Rules examined on the node for the probe connection's first packet. */
export function rulesForFirstPacket(mode: KubeProxyMode, services: number): number {
  const c = kubeProxyCase(mode, services);
  c.steps = c.steps?.slice(0, 1);
  const r = runCase(c);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const syn = walkLog(r.world).packets.find((p) => p.host === 'node');
  if (!syn) throw new Error('the SYN never reached the node');
  return syn.rulesExamined;
}

export function measureScaling(sizes: readonly number[] = [1, 100, 1000, 10000]): ScalingPoint[] {
  return sizes.map((services) => ({ services, iptables: rulesForFirstPacket('iptables', services), ipvs: rulesForFirstPacket('ipvs', services) }));
}
