// pattern: Functional Core
// The words of stateful traffic (shell/PacketForm.tsx, shell/TrafficTimeline.tsx):
// sending another packet after the traffic already there, sending several
// connections at once, replacing the traffic, and the list of what was sent;
// and of the rule form's port fields and the errors shown on its fields
// (editor/IptablesSection.tsx, editor/ui.tsx).
// Result words of the oracle (established, ECONNREFUSED) stay as the tools say them.
export const enTraffic = {
  'traffic.sendAnother': 'Send another',
  'traffic.sendMoreConnections': 'Send {n} more connections',
  'traffic.sendMorePackets': 'Send {n} more packets',
  'traffic.replace': 'Replace traffic',
  'traffic.count': 'How many',
  'traffic.hint':
    'Send another keeps the traffic already there and what it left behind — conntrack entries, IPVS connections and the scheduler’s place, neighbour entries — so the new packets meet that state. Replace traffic starts again from empty state with only these packets.',
  'traffic.problem.count': 'How many must be a number from 1 to {max}.',
  'traffic.problem.total': 'A scenario holds at most {max} traffic steps and this one has {n}: send fewer, or replace the traffic.',
  'traffic.title': 'Traffic sent',
  'traffic.empty': 'No traffic yet: send a packet.',
  'traffic.go': 'Go to traffic step {n}',
  'traffic.ipvs': 'IPVS → {server}',
  'traffic.connected': 'connected',
  'traffic.timeout': 'no answer',
  'traffic.reply': 'answered',
  'traffic.icmpError': 'ICMP error from {from}',
  'traffic.sent': 'sent',
  'traffic.failed': 'failed: {error}',
  'rule.sport': 'Source port',
  'rule.dport': 'Destination port',
  'rule.portHint': 'a port, a name (ssh) or a range (1024:65535); -p {proto} brings its match, -m {proto}, with it',
  'rule.oneError': 'The rule was not added: 1 error.',
  'rule.errors': 'The rule was not added: {n} errors.',
} as const;
