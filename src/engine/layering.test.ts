// The engine's layering, as DEVELOPMENT.md's "Dependency order" writes it:
// every relative import of every engine source file (type imports too)
// goes from a unit to a unit left of it in that order, so no two folders
// import each other; and no file grows past 800 lines, nor a function past
// 150, unless its header says why on a `// size: <reason>` line.
//
// A unit is a folder directly under src/engine (net, iptables, sim, ...)
// or a file directly in it (walk-log.ts is the unit walk-log). The shared
// vocabulary (src/vocabulary, which imports nothing) is below every unit:
// any unit may import it.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ENGINE = fileURLToPath(new URL('.', import.meta.url));
const DEVELOPMENT_MD = fileURLToPath(new URL('../../DEVELOPMENT.md', import.meta.url));

const MAX_FILE_LINES = 800;
const MAX_FUNCTION_LINES = 150;

// ---------------------------------------------------------------- reading the sources

/** An import of one engine file by another, both relative to src/engine. */
interface Edge {
  from: string;
  to: string;
  line: number;
}

/** Every module specifier a file names: import/export ... from, import type, import('...') types and calls. */
function specifiers(fileName: string, text: string): { spec: string; line: number }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: { spec: string; line: number }[] = [];
  const add = (node: ts.Node, lit: ts.Expression | undefined): void => {
    if (lit && ts.isStringLiteralLike(lit)) out.push({ spec: lit.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal as ts.Expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0]);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The engine file a relative specifier names, or why it names none. */
function resolveSpecifier(from: string, spec: string, files: ReadonlySet<string>): { file: string } | { error: string } {
  const base = join(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) {
    if (files.has(candidate)) return { file: candidate };
  }
  if (base.startsWith('..')) return { error: `${from} imports ${spec}, outside src/engine` };
  return { error: `${from} imports ${spec}, which is no engine source file` };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function readEngine(): { files: Map<string, string>; edges: Edge[]; unresolved: string[] } {
  const files = new Map(sourceFiles(ENGINE).map((path) => [relative(ENGINE, path), readFileSync(path, 'utf8')] as const));
  const names = new Set(files.keys());
  const edges: Edge[] = [];
  const unresolved: string[] = [];
  for (const [file, text] of files) {
    for (const { spec, line } of specifiers(file, text)) {
      if (!spec.startsWith('.')) continue;
      if (join(dirname(file), spec).startsWith(`..${sep}vocabulary${sep}`)) continue;
      const r = resolveSpecifier(file, spec, names);
      if ('file' in r) edges.push({ from: file, to: r.file, line });
      else unresolved.push(r.error);
    }
  }
  return { files, edges, unresolved };
}

/** The unit of an engine file: its folder under src/engine, or the file's own name for a top-level file. */
function unitOf(file: string): string {
  const slash = file.indexOf('/');
  return slash >= 0 ? file.slice(0, slash) : file.replace(/\.ts$/, '');
}

// ---------------------------------------------------------------- cycles

/**
 * The cycles of a directed graph, one per strongly connected component of
 * more than one node (Tarjan), each as the path [a, b, ..., a].
 */
function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1) components.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return components.map((c) => cycleThrough(graph, new Set(c)));
}

/** A shortest cycle through the smallest node of a strongly connected component. */
function cycleThrough(graph: ReadonlyMap<string, ReadonlySet<string>>, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0]!;
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = parent.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

function unitGraph(edges: readonly Edge[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = unitOf(e.from);
    const b = unitOf(e.to);
    if (!graph.has(a)) graph.set(a, new Set());
    if (a !== b) graph.get(a)!.add(b);
  }
  return graph;
}

/** A cycle of units, told by one import for each step: "net/fib.ts:11 → iptables/types.ts". */
function describeCycle(cycle: readonly string[], edges: readonly Edge[]): string {
  const steps: string[] = [];
  for (let i = 0; i + 1 < cycle.length; i++) {
    const e = edges.find((x) => unitOf(x.from) === cycle[i] && unitOf(x.to) === cycle[i + 1])!;
    steps.push(`${e.from}:${e.line} → ${e.to}`);
  }
  return `${cycle.join(' → ')}: ${steps.join(', ')}`;
}

// ---------------------------------------------------------------- the written order

/**
 * The layers of the "Dependency order" section: its line of units joined
 * by `→`, lowest first; units of one layer are joined by `/`.
 */
function parseOrder(markdown: string): string[][] {
  const section = /^## Dependency order\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(markdown)?.[1] ?? '';
  const line = section.split('\n').find((l) => l.includes('→'));
  if (line === undefined) return [];
  return line.split('→').map((layer) =>
    layer
      .split('/')
      .map((u) => u.replace(/`/g, '').trim())
      .filter((u) => u !== ''),
  );
}

/** Imports that do not go strictly leftwards in `layers`, and units missing from it or unknown to the engine. */
function orderViolations(edges: readonly Edge[], units: ReadonlySet<string>, layers: readonly string[][]): string[] {
  const layerOf = new Map<string, number>();
  const out: string[] = [];
  layers.forEach((layer, i) =>
    layer.forEach((u) => {
      if (layerOf.has(u)) out.push(`${u} is written twice in the order`);
      layerOf.set(u, i);
    }),
  );
  for (const u of [...units].sort()) if (!layerOf.has(u)) out.push(`${u} is not in the order: add it where its imports allow`);
  for (const u of layerOf.keys()) if (!units.has(u)) out.push(`${u} is in the order but is no folder or file of src/engine`);
  const seen = new Set<string>();
  for (const e of edges) {
    const a = unitOf(e.from);
    const b = unitOf(e.to);
    const la = layerOf.get(a);
    const lb = layerOf.get(b);
    if (a === b || la === undefined || lb === undefined || lb < la) continue;
    const key = `${a}>${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(`${a} may not import ${b} (${lb === la ? 'same layer' : 'it is to its right'}): ${e.from}:${e.line} → ${e.to}`);
  }
  return out;
}

// ---------------------------------------------------------------- sizes

/** The `// size: <reason>` line of a file's header comment, or null. */
function sizeReason(text: string): string | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith('//')) return null;
    const m = /^\/\/\s*size:\s*(\S.*)$/.exec(line);
    if (m) return m[1]!;
  }
  return null;
}

/** A file over MAX_FILE_LINES, or each function over MAX_FUNCTION_LINES, unless the header gives the reason. */
function sizeViolations(file: string, text: string): string[] {
  if (sizeReason(text) !== null) return [];
  const out: string[] = [];
  const lines = text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
  if (lines > MAX_FILE_LINES) out.push(`${file}: ${lines} lines (over ${MAX_FILE_LINES})`);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (last - first + 1 > MAX_FUNCTION_LINES) out.push(`${file}:${first + 1}: ${functionName(node)} is ${last - first + 1} lines (over ${MAX_FUNCTION_LINES})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function functionName(node: ts.SignatureDeclaration): string {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
  return 'a function';
}

// ---------------------------------------------------------------- specifications

describe('the engine as it is', () => {
  const engine = readEngine();
  const units = new Set([...engine.files.keys()].map(unitOf));

  it('resolves every relative import to an engine source file', () => {
    expect(engine.unresolved).toEqual([]);
    expect(engine.edges.length).toBeGreaterThan(500);
  });

  it('has no cycle between its folders and top-level files', () => {
    expect(findCycles(unitGraph(engine.edges)).map((c) => describeCycle(c, engine.edges))).toEqual([]);
  });

  it('imports only leftwards in the order DEVELOPMENT.md writes, which names every unit once', () => {
    const layers = parseOrder(readFileSync(DEVELOPMENT_MD, 'utf8'));
    expect(layers.length).toBeGreaterThan(1);
    expect(orderViolations(engine.edges, units, layers)).toEqual([]);
  });

  it(`has no file over ${MAX_FILE_LINES} lines and no function over ${MAX_FUNCTION_LINES} without a size: reason in its header`, () => {
    expect([...engine.files].flatMap(([file, text]) => sizeViolations(file, text))).toEqual([]);
  });
});

describe('findCycles', () => {
  it('finds a cycle of three units and leaves the edge out of it alone', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set<string>()],
    ]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('reports each tangle once, by a shortest cycle through its first unit', () => {
    const g = new Map([
      ['net', new Set(['iptables', 'ipvs'])],
      ['iptables', new Set(['net'])],
      ['ipvs', new Set(['net'])],
      ['output', new Set(['sim'])],
      ['sim', new Set(['output', 'net'])],
    ]);
    expect(findCycles(g)).toEqual([
      ['iptables', 'net', 'iptables'],
      ['output', 'sim', 'output'],
    ]);
  });

  it('finds none in a graph that only goes one way', () => {
    const g = new Map([
      ['sim', new Set(['net', 'text'])],
      ['net', new Set(['text'])],
      ['text', new Set<string>()],
    ]);
    expect(findCycles(g)).toEqual([]);
  });
});

describe('the written order', () => {
  const md = '# Dev\n\n## Dependency order\n\nLowest first:\n\n    `text` → net / scenario → sim\n\n## Next\n\nnot → this\n';
  const edge = (from: string, to: string): Edge => ({ from, to, line: 1 });

  it('is read as layers from the section\'s arrow line', () => {
    expect(parseOrder(md)).toEqual([['text'], ['net', 'scenario'], ['sim']]);
    expect(parseOrder('## Dependency order\n\nnone written\n')).toEqual([]);
  });

  it('refuses an import to the right or within a layer, and names the file', () => {
    const units = new Set(['text', 'net', 'scenario', 'sim']);
    const layers = parseOrder(md);
    expect(orderViolations([edge('sim/world.ts', 'net/fib.ts'), edge('net/fib.ts', 'text/shlex.ts')], units, layers)).toEqual([]);
    expect(orderViolations([edge('net/fib.ts', 'sim/host.ts'), edge('net/a.ts', 'scenario/types.ts')], units, layers)).toEqual([
      'net may not import sim (it is to its right): net/fib.ts:1 → sim/host.ts',
      'net may not import scenario (same layer): net/a.ts:1 → scenario/types.ts',
    ]);
  });

  it('must name every unit of the engine, and only those', () => {
    expect(orderViolations([], new Set(['text', 'net', 'sim', 'lab']), parseOrder(md))).toEqual([
      'lab is not in the order: add it where its imports allow',
      'scenario is in the order but is no folder or file of src/engine',
    ]);
  });

  it('sees type imports, re-exports and import() as imports', () => {
    const text = "import type { A } from './a';\nexport * from '../b';\nlet x: import('./c').C;\nconst d = await import('./d');\nimport { e } from 'vitest';\n";
    expect(specifiers('x/y.ts', text)).toEqual([
      { spec: './a', line: 1 },
      { spec: '../b', line: 2 },
      { spec: './c', line: 3 },
      { spec: './d', line: 4 },
      { spec: 'vitest', line: 5 },
    ]);
  });

  it('puts a top-level file in a unit of its own', () => {
    expect([unitOf('walk-log.ts'), unitOf('net/ip-route.ts'), unitOf('iptables/modules/tcp.ts')]).toEqual(['walk-log', 'net', 'iptables']);
  });
});

describe('sizes', () => {
  const fn = (name: string, bodyLines: number): string => `export function ${name}(): number {\n${'  void 0;\n'.repeat(bodyLines)}  return 0;\n}\n`;

  it(`refuses a function over ${MAX_FUNCTION_LINES} lines and a file over ${MAX_FILE_LINES}, naming them`, () => {
    expect(sizeViolations('a.ts', `// pattern: Functional Core\n\n${fn('small', 10)}${fn('big', MAX_FUNCTION_LINES - 2)}`)).toEqual(['a.ts:16: big is 151 lines (over 150)']);
    expect(sizeViolations('b.ts', `${fn('x', 10)}\n`.repeat(60))).toEqual(['b.ts: 840 lines (over 800)']);
  });

  it('measures methods and arrow functions too', () => {
    const text = `class K {\n  m(): void {\n${'    void 0;\n'.repeat(150)}  }\n}\nconst f = () => {\n${'  void 0;\n'.repeat(150)}};\n`;
    expect(sizeViolations('c.ts', text)).toEqual(['c.ts:2: m is 152 lines (over 150)', 'c.ts:155: f is 152 lines (over 150)']);
  });

  it('accepts what the header gives a reason for, on a size: line', () => {
    const text = `// pattern: Functional Core\n// size: mirrors nf_conntrack_tcp_packet() step by step\n\n${fn('big', 200)}`;
    expect(sizeReason(text)).toBe('mirrors nf_conntrack_tcp_packet() step by step');
    expect(sizeViolations('d.ts', text)).toEqual([]);
    expect(sizeReason(`// pattern: Functional Core\n\n// size: too late, not in the header\n`)).toBeNull();
    expect(sizeReason('// size:\n')).toBeNull();
  });
});
