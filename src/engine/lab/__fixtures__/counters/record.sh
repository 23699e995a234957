#!/bin/bash
# Records the device counters net-tools 2.10 prints after counters.json's
# traffic, on this machine's kernel: each host a namespace as the oracle
# builds it (veth MACs 02:00:00:00:HH:NN, IPv6 off, lo up, the setup), each
# step a connected UDP socket from its sport sending its data and waiting
# briefly for the ICMP error. One change to the setup: a bridge is made
# with `mcast_snooping 0`, since with snooping on it sends two IGMP frames
# of its own as it comes up (54 bytes each, seen on every port and the
# peer), multicast PacketWalk does not model. Writes counters.golden.txt (`### HOST: COMMAND`
# then the output). Run as root with net-tools installed: `bash record.sh`.
set -e
cd "$(dirname "$0")"
C=pwct-client; S=pwct-server
cleanup() { ip netns del $C 2>/dev/null || true; ip netns del $S 2>/dev/null || true; }
cleanup; trap cleanup EXIT
for n in $C $S; do
  ip netns add $n
  ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n $n link set lo up
done
ip -n $C link add eth0 address 02:00:00:00:01:01 type veth peer name eth0 address 02:00:00:00:02:01 netns $S
ip -n $C link set eth0 up; ip -n $S link set eth0 up
python3 - "$C" "$S" <<'PY'
import json, shlex, subprocess, sys
ns = {'client': sys.argv[1], 'server': sys.argv[2]}
case = json.load(open('counters.json'))
for h in case['hosts']:
    for cmd in h['setup']:
        if cmd.endswith(' type bridge'):
            cmd += ' mcast_snooping 0'
        subprocess.run(['ip', 'netns', 'exec', ns[h['name']]] + shlex.split(cmd), check=True)
SEND = '''
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[3])))
s.connect((sys.argv[1], int(sys.argv[2])))
s.settimeout(0.5)
s.send(sys.argv[4].encode())
try: s.recv(100)
except OSError: pass
'''
for st in case['steps']:
    addr, port = st['udp'].split(':')
    subprocess.run(['ip', 'netns', 'exec', ns[st['from']], 'python3', '-c', SEND, addr, port, str(st['sport']), st.get('data', 'hello')], check=True)
PY
sleep 0.2
{
  for h in client server; do
    for cmd in "ifconfig -a" "netstat -ia"; do
      echo "### $h: $cmd"
      ip netns exec pwct-$h $cmd
    done
  done
} > counters.golden.txt
