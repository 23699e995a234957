#!/bin/bash
# What this machine's kernel (6.18, iproute2 6.1.0) says to MTUs per device
# type, in a throwaway namespace removed at the end. Run as root:
# `bash probe.sh > probe.txt`. (This kernel has no dummy module: `type dummy`
# answers "Unknown device type", so dummy's bounds come from drivers/net/dummy.c.)
NS=pwmtu-$$
ip netns add $NS
trap 'ip netns del $NS' EXIT
x() { echo "\$ ip $*"; ip -n $NS "$@" 2>&1; echo "[exit $?]"; }
x link add v0 type veth peer name v1
x link add br0 type bridge
x link add vx0 type vxlan id 42 dstport 4789 dev v0
x link add vx1 type vxlan id 43 dstport 4789 remote 10.0.0.9
for d in v0 br0 vx0 vx1 lo; do
  echo "# $d: $(ip -n $NS -d link show $d | grep -o 'minmtu [0-9]* maxmtu [0-9]*')"
  for m in 0 67 68 1451 65535 65536 70000 2147483647 2147483648; do x link set $d mtu $m; done
  x link set $d mtu 1500
done
x link add v2 mtu 70000 type veth peer name v3
x link add v4 mtu 67 type veth peer name v5
x link add br1 mtu 70000 type bridge
x link add br2 mtu 67 type bridge
x link add vxa mtu 9000 type vxlan id 44 dstport 4789 dev v0
x link add vxb mtu 70000 type vxlan id 45 dstport 4789
x link add vxc mtu 67 type vxlan id 46 dstport 4789
ip -n $NS link show vxa | head -1 | grep -o 'mtu [0-9]*'
x addr add 127.0.0.1/8 dev lo
x link set lo up
x link set lo mtu 67
x link set lo mtu 68
x -4 addr show dev lo
