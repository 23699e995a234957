// pattern: Functional Core
// The IPVS lab the tests build on: a client, a director owning the VIP
// 10.0.0.100 and three real servers behind it, with no IPVS configured yet
// (the forms add it). `connections` TCP connects from different ports.

import type { Case } from '../../engine/scenario/case';

/** A director (VIP 10.0.0.100) in front of three real servers, with no IPVS yet. */
export function labCase(connections = 1): Case {
  const tcp = 'tcp' as const;
  return {
    name: 'ipvs-lab',
    hosts: [
      { name: 'client', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
      { name: 'director', setup: ['ip addr add 10.0.0.1/24 dev eth0', 'ip addr add 10.0.0.100/32 dev eth0', 'ip addr add 192.168.1.1/24 dev eth1', 'sysctl -w net.ipv4.ip_forward=1'] },
      ...[11, 12, 13].map((n, k) => ({ name: `rs${k + 1}`, setup: [`ip addr add 192.168.1.${n}/24 dev eth0`, 'ip route add default via 192.168.1.1'] })),
    ],
    links: [['client:eth0', 'director:eth0']],
    switches: [{ name: 'backend', ports: ['director:eth1', 'rs1:eth0', 'rs2:eth0', 'rs3:eth0'] }],
    listeners: [1, 2, 3].map((k) => ({ host: `rs${k}`, proto: tcp, port: 80 })),
    steps: Array.from({ length: connections }, (_, k) => ({ from: 'client', tcp: '10.0.0.100:80', sport: 40001 + k })),
  };
}

