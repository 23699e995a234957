// pattern: Functional Core
// Which MTUs the kernel takes for a device. dev_set_mtu_ext (net/core/dev.c)
// first runs dev_validate_mtu against the device's min_mtu/max_mtu (0 means
// no bound) and answers with an extack message, then the driver's
// ndo_change_mtu may refuse more without one. The bounds per type, from the
// drivers' setup functions and asked of this machine's kernel
// (`ip -d link show` prints them as minmtu/maxmtu; the probe and its answers
// are in link-mtu.test.ts):
//   veth    68..65535   ether_setup's ETH_MIN_MTU, veth_setup's ETH_MAX_MTU
//   bridge  68..65535   ether_setup, br_dev_setup's ETH_MAX_MTU
//   vxlan   68..65535   ether_setup, vxlan_setup's ETH_MAX_MTU; with a lower
//                       device vxlan_change_mtu refuses more than its MTU
//                       minus VXLAN_HEADROOM with -EINVAL (no message)
//   dummy   none        dummy_setup sets min_mtu = max_mtu = 0
//   lo      none        loopback_setup leaves both 0
//   vlan    0..65535    vlan_setup; vlan_dev_change_mtu then refuses more
//                       than the real device's MTU (vlan.ts, -ERANGE)
// GRE and IPIP tunnels keep their own bounds (ip_tunnel.c) and are not
// checked here.
// An IPv4 device whose MTU falls below 68 loses its IPv4 configuration:
// inetdev_event's NETDEV_CHANGEMTU calls inetdev_destroy when
// !inetdev_valid_mtu (net/ipv4/devinet.c), so its addresses and their routes
// go (seen on lo: `ip link set lo mtu 67` leaves it without 127.0.0.1, and
// `mtu 68` does not bring it back).

import type { Diagnostic } from '../text/diagnostics';
import { deleteAddress, findLink, type HostNet, type Link } from './config';
import { kernelError, type WordRef } from './ip-args';
import { VXLAN_HEADROOM } from './tunnel-params';

/** ETH_MIN_MTU, ETH_MAX_MTU (include/uapi/linux/if_ether.h) */
export const ETH_MIN_MTU = 68;
export const ETH_MAX_MTU = 65535;

/** [min_mtu, max_mtu] as the driver sets them; 0 is no bound. null: not modelled for this type. */
export function mtuBounds(kind: Link['kind']): [number, number] | null {
  switch (kind) {
    case 'veth':
    case 'bridge':
    case 'vxlan':
      return [ETH_MIN_MTU, ETH_MAX_MTU];
    case 'dummy':
    case 'loopback':
      return [0, 0];
    case 'vlan':
      return [0, ETH_MAX_MTU];
    default:
      return null;
  }
}

/** dev_validate_mtu: its extack messages, on the value's word. */
function validate(kind: Link['kind'], mtu: number, at: WordRef): Diagnostic | null {
  const b = mtuBounds(kind);
  if (!b) return null;
  if (mtu < b[0]) return kernelError(at, 'Error: mtu less than device minimum.', 'ip/mtu-below-min');
  if (b[1] > 0 && mtu > b[1]) return kernelError(at, 'Error: mtu greater than device maximum.', 'ip/mtu-above-max');
  return null;
}

/** `ip link set DEV mtu N`: dev_validate_mtu, then the driver's own check (vxlan; vlan is vlan.ts's). */
export function mtuSetError(net: HostNet, link: Link, mtu: number, at: WordRef): Diagnostic | null {
  const e = validate(link.kind, mtu, at);
  if (e) return e;
  if (link.kind === 'vxlan' && link.tunnel?.link) {
    const lower = findLink(net, link.tunnel.link);
    if (lower && mtu > lower.mtu - VXLAN_HEADROOM) return kernelError(at, 'RTNETLINK answers: Invalid argument', 'ip/mtu-invalid');
  }
  return null;
}

/**
 * `ip link add NAME mtu N type T`: veth_validate refuses an MTU outside
 * 68..65535 with a bare -EINVAL before anything is made; the others go
 * through rtnl_create_link's dev_validate_mtu (extack; dummy takes any).
 */
export function mtuAddError(kind: Link['kind'], mtu: number, at: WordRef): Diagnostic | null {
  if (kind === 'veth') return mtu < ETH_MIN_MTU || mtu > ETH_MAX_MTU ? kernelError(at, 'RTNETLINK answers: Invalid argument', 'ip/mtu-invalid') : null;
  return validate(kind, mtu, at);
}

/**
 * `ip link add NAME mtu N type vxlan …`: vxlan_nl2conf checks 68..65535
 * ("MTU must be between 68 and 65535"); with a lower device
 * vxlan_config_apply clamps to its MTU minus VXLAN_HEADROOM instead of
 * refusing (1451 and 9000 on a veth of 1500 both gave 1450 here).
 */
export function vxlanAddMtu(net: HostNet, lowerName: string | null, mtu: number, at: WordRef): Diagnostic | number {
  if (mtu < ETH_MIN_MTU || mtu > ETH_MAX_MTU) return kernelError(at, `Error: MTU must be between ${ETH_MIN_MTU} and ${ETH_MAX_MTU}.`, 'ip/mtu-range');
  const lower = lowerName ? findLink(net, lowerName) : undefined;
  return lower ? Math.min(mtu, lower.mtu - VXLAN_HEADROOM) : mtu;
}

/** inetdev_event, NETDEV_CHANGEMTU: below 68 the device's IPv4 addresses (and their routes) are gone. */
export function dropIpv4BelowMin(net: HostNet, dev: string, mtu: number): void {
  if (mtu >= ETH_MIN_MTU) return;
  for (;;) {
    const a = net.addresses.find((x) => x.iface === dev && !x.secondary) ?? net.addresses.find((x) => x.iface === dev);
    if (!a) return;
    deleteAddress(net, dev, a.addr, a.prefixLen);
  }
}
