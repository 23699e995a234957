// pattern: Functional Core
// Each course unit's walk to watch: a gallery scenario that shows what the
// unit's explanation (course.about.UNIT) says, opened with its lesson beside
// the walk.

import type { UnitId } from '../../course/types';

export const UNIT_WALKS: Record<UnitId, string> = {
  chains: 'g04-port-forward',
  targets: 'g03-block-ping',
  conntrack: 'g11-established-survives-drop',
  nat: 'g09-dnat-then-routing',
  routing: 'g07-policy-routing',
  iproute2: 'g06-ip-basics',
  ipvs: 'ipvs-rr-nat',
  'kube-proxy': 'k8s-iptables-vs-ipvs',
};
