// pattern: Imperative Shell
/**
 * The first screen: what PacketWalk is and the region where the packet walk
 * will be drawn. Every block sits in a landmark (header, main, footer) so
 * screen readers can jump between them and axe's `region` rule holds.
 */
export function App() {
  return (
    <div className="flex min-h-screen flex-col bg-white text-slate-900">
      <header className="border-b border-slate-200 bg-slate-900 text-white">
        <div className="mx-auto max-w-5xl px-4 py-4">
          <h1 className="text-2xl font-semibold tracking-tight">PacketWalk</h1>
        </div>
      </header>
      <main className="mx-auto flex w-full max-w-5xl flex-1 flex-col gap-6 px-4 py-6">
        <p className="max-w-prose text-base leading-relaxed text-slate-700">
          PacketWalk shows how Linux moves an IPv4 packet: through the netfilter hooks and the
          iptables raw, mangle, nat, filter and security tables, connection tracking and NAT, and
          routing with policy rules. Describe hosts with the commands you would type on them
          (<code className="font-mono text-sm">ip</code>,{' '}
          <code className="font-mono text-sm">iptables-save</code>,{' '}
          <code className="font-mono text-sm">sysctl</code>), send a packet, and follow it rule by
          rule. The simulation is checked against what the real kernel does.
        </p>
        <section
          aria-labelledby="walk-heading"
          className="flex min-h-80 flex-1 flex-col rounded-lg border-2 border-dashed border-slate-300 p-4"
        >
          <h2 id="walk-heading" className="text-lg font-medium">
            Packet walk
          </h2>
          <p className="m-auto text-slate-600">No scenario loaded yet.</p>
        </section>
      </main>
      <footer className="border-t border-slate-200">
        <p className="mx-auto max-w-5xl px-4 py-3 text-sm text-slate-600">
          Runs entirely in your browser.
        </p>
      </footer>
    </div>
  );
}
