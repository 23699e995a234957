// pattern: Functional Core
// The console's own words (editor/Console.tsx): the hint that names every
// tool it accepts, what a read-only command's output is, Tab completion.
// What the tools print is the tools' text and is never translated.
export const enConsole = {
  'console.tools': 'Reads (as of the current step, changing nothing): iptables -L/-S, iptables-save [-c], ip addr|link|route|rule|neigh, ip route get, ipvsadm -Ln, sysctl NAME, sysctl -a, conntrack -L, help. Writes: iptables, ip, ipvsadm, sysctl -w, iptables-restore. Tab completes.',
  'console.asOf': 'as of step {step}; nothing changed',
  'console.asOfStart': 'before the walk; nothing changed',
  'console.completions': 'Tab: {list}',
  'console.noCompletion': 'Tab: nothing to complete',
  'engine.what.query': 'answering a console command',
} as const;
