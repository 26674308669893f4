// Short, readable names for the tensors TinySeg's passes create. A pass names
// a new tensor after the one it derives from plus its role (`_band2`,
// `_resident`, `_fetched`, `_blocks`), and freshName() adds `_1`, `_2` when
// that is taken, so a tensor split twice and then spilled is called
// `input.25_te_transform_1_band2_band0_resident_1`. Text and charts show the
// model's own name with the roles in words, `input.25_te_transform_1 [band 2.0,
// resident part]`; JSON keeps the full, unique name.

const ROLES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/_band(\d+)(?:_\d+)?$/, (m) => `band ${m[1]}`],
  [/_rows(\d+)(?:_\d+)?$/, (m) => `rows ${m[1]}`],
  [/_resident(?:_\d+)?$/, () => 'resident part'],
  [/_fetched(?:_\d+)?$/, () => 'fetched'],
  [/_blocks(?:_\d+)?$/, () => 'blocks'],
];

/** The model's own tensor name and the roles TinySeg's passes added to it, innermost (first added) first. */
export function tensorRoles(name: string): { base: string; roles: string[] } {
  const roles: string[] = [];
  let base = name;
  for (let found = true; found; ) {
    found = false;
    for (const [re, role] of ROLES) {
      const m = re.exec(base);
      if (m && m.index > 0) {
        roles.unshift(role(m));
        base = base.slice(0, m.index);
        found = true;
        break;
      }
    }
  }
  return { base, roles };
}

/** `input.41 [band 0, resident part]`: a derived tensor's readable name; a model's own tensor keeps its name. */
export function tensorLabel(name: string): string {
  const { base, roles } = tensorRoles(name);
  if (roles.length === 0) return name;
  // Nested bands read as one position (band 2 of the chain, band 0 within it); repeats of a role once.
  const merged: string[] = [];
  for (const r of roles) {
    const prev = merged.at(-1);
    if (prev?.startsWith('band ') && r.startsWith('band ')) merged[merged.length - 1] = `${prev}.${r.slice(5)}`;
    else if (prev !== r) merged.push(r);
  }
  return `${base} [${merged.join(', ')}]`;
}
