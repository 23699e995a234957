// pattern: Functional Core
// IPVS 视图与 kube-proxy 对比的中文文字。
import type { enIpvs } from './ipvs.en';

export const zhIpvs: Record<keyof typeof enIpvs, string> = {
  'ipvs.title': 'IPVS',
};
