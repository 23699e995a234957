// pattern: Functional Core
// English strings of the IPVS views and the kube-proxy comparison.
export const enIpvs = {
  'ipvs.title': 'IPVS',
} as const;
