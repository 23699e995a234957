// pattern: Imperative Shell
// A choice among options that may number in the tens of thousands (the
// chains of a kube-proxy node: 13,000 KUBE-SVC/KUBE-SEP chains). A native
// <select> is the best control for a short list, but the browser builds and
// lays out every <option>, which took a second for 13,646 chains; above
// LONG_LIST options it becomes a searchable combobox (ARIA 1.2 pattern: an
// input with a listbox popup) that renders only the first SHOWN matches of
// what was typed.

import { memo, useId, useMemo, useRef, useState } from 'react';
import { useT } from '../i18n/lang';
import { inputCls } from './styles';

export interface Choice {
  value: string;
  label: string;
  /** the <optgroup> it sits in, for the native select */
  group?: string | undefined;
}

/** More options than this and the native select costs more than a frame to build. */
export const LONG_LIST = 300;
/** Matches listed at once in the combobox; typing narrows the rest. */
export const SHOWN = 50;

/** The options whose value or label contain the query (any case), the exact value first. */
export function matchChoices(choices: readonly Choice[], query: string, max = SHOWN): { shown: Choice[]; total: number } {
  const q = query.trim().toLowerCase();
  if (q === '') return { shown: choices.slice(0, max), total: choices.length };
  const shown: Choice[] = [];
  let total = 0;
  for (const c of choices) {
    if (!c.value.toLowerCase().includes(q) && !c.label.toLowerCase().includes(q)) continue;
    total++;
    if (c.value.toLowerCase() === q) shown.unshift(c);
    else if (shown.length < max) shown.push(c);
  }
  return { shown: shown.slice(0, max), total };
}

interface Props {
  id: string;
  value: string;
  choices: readonly Choice[];
  onChange: (value: string) => void;
  className?: string;
}

/** A native select for a short list, a searchable combobox for a long one. */
export const ChoiceSelect = memo(function ChoiceSelect(props: Props) {
  return props.choices.length > LONG_LIST ? <Combobox {...props} /> : <NativeSelect {...props} />;
});

function NativeSelect({ id, value, choices, onChange, className = inputCls }: Props) {
  const groups: { label: string | undefined; items: Choice[] }[] = [];
  for (const c of choices) {
    const last = groups[groups.length - 1];
    if (last && last.label === c.group) last.items.push(c);
    else groups.push({ label: c.group, items: [c] });
  }
  const items = (cs: Choice[]) =>
    cs.map((c) => (
      <option key={c.value} value={c.value}>
        {c.label}
      </option>
    ));
  return (
    <select id={id} className={className} value={value} onChange={(e) => onChange(e.target.value)}>
      {groups.map((g, k) =>
        g.label === undefined ? (
          items(g.items)
        ) : (
          <optgroup key={k} label={g.label}>
            {items(g.items)}
          </optgroup>
        ),
      )}
    </select>
  );
}

function Combobox({ id, value, choices, onChange, className = inputCls }: Props) {
  const t = useT();
  const listId = useId();
  const countId = useId();
  const [query, setQuery] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const open = query !== null;
  const selected = useMemo(() => choices.find((c) => c.value === value), [choices, value]);
  const { shown, total } = useMemo(() => (open ? matchChoices(choices, query) : { shown: [], total: 0 }), [choices, query, open]);
  const at = Math.min(active, Math.max(0, shown.length - 1));

  const choose = (c: Choice) => {
    setQuery(null);
    onChange(c.value);
  };
  const close = () => setQuery(null);

  return (
    <span className="relative inline-flex flex-col">
      <input
        ref={input}
        id={id}
        type="text"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-describedby={countId}
        aria-activedescendant={open && shown[at] ? `${listId}-${at}` : undefined}
        autoComplete="off"
        spellCheck={false}
        className={`${className} font-mono`}
        value={open ? query : (selected?.label ?? value)}
        onFocus={(e) => e.currentTarget.select()}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onBlur={close}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            if (!open) {
              setQuery('');
              setActive(0);
              return;
            }
            setActive(Math.max(0, Math.min(shown.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1))));
          } else if (e.key === 'Enter' && open) {
            e.preventDefault();
            const c = shown[at];
            if (c) choose(c);
          } else if (e.key === 'Escape' && open) {
            e.preventDefault();
            close();
          }
        }}
      />
      <span id={countId} className="sr-only">
        {t('combo.count', { n: choices.length.toLocaleString(t.lang === 'zh' ? 'zh-CN' : 'en') })}
      </span>
      {open && (
        <ul id={listId} role="listbox" className="absolute top-full z-20 mt-1 max-h-72 min-w-full overflow-auto rounded border border-slate-500 bg-white py-1 shadow-lg">
          {shown.map((c, k) => (
            <li
              key={c.value}
              id={`${listId}-${k}`}
              role="option"
              aria-selected={k === at}
              className={`cursor-pointer px-2 py-0.5 font-mono text-sm whitespace-nowrap ${k === at ? 'bg-blue-700 text-white' : 'text-slate-900'}`}
              // before the input's blur closes the list
              onMouseDown={(e) => {
                e.preventDefault();
                choose(c);
              }}
              onMouseMove={() => k !== at && setActive(k)}
            >
              {c.label}
            </li>
          ))}
          <li role="presentation" className="px-2 py-0.5 text-xs text-slate-700">
            {total === 0 ? t('combo.none') : total > shown.length ? t('combo.more', { shown: shown.length, n: total.toLocaleString(t.lang === 'zh' ? 'zh-CN' : 'en') }) : t('combo.all', { n: total })}
          </li>
        </ul>
      )}
    </span>
  );
}
