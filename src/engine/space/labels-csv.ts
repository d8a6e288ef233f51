// The labels of a space being built, from a CSV with a header row: one row per LoRA, a column per
// attribute (0/1 or ±1, any number is kept as given). Rows match the LoRAs by a `file` column when there
// is one (the name of the w2w DataFrame's index), else in the LoRAs' order. A CSV that does not match is
// refused with the rows, LoRAs or cells at fault named.

export interface Labels {
  readonly columns: readonly string[];
  /** Row-major, a row per LoRA in the LoRAs' order. */
  readonly values: Float64Array;
  /** int64 when every value is an integer (as the official identity_df.pt has), else float64. */
  readonly dtype: 'int64' | 'float64';
}

/** Fields of one CSV line set (RFC 4180 quoting: "a, b" and "" for a quote). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0].trim() !== '') rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  row.push(field);
  if (row.length > 1 || row[0].trim() !== '') rows.push(row);
  return rows;
}

/** A LoRA's name as a CSV may write it: with or without its folder and its .safetensors extension. */
const aliases = (name: string): string[] => {
  const base = name.split('/').pop()!;
  return [...new Set([name, base, `${name}.safetensors`, `${base}.safetensors`])];
};

export function labelsFromCsv(text: string, loras: readonly string[], what = 'the labels CSV'): Labels {
  const [header, ...body] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) throw new Error(`${what} is empty: it needs a header row of attribute names`);
  const names = header.map((h) => h.trim());
  const keyCol = names.findIndex((h) => h.toLowerCase() === 'file');
  const columns = names.filter((_, i) => i !== keyCol);
  const dup = columns.find((c, i) => columns.indexOf(c) !== i || c === '');
  if (dup !== undefined) throw new Error(`${what}: ${dup === '' ? 'an empty column name' : `column ${dup} twice`} in the header`);
  body.forEach((r, i) => {
    if (r.length !== names.length) throw new Error(`${what} row ${i + 2} has ${r.length} fields, the header has ${names.length}`);
  });

  let order: number[]; // CSV body row of each LoRA
  if (keyCol < 0) {
    if (body.length !== loras.length)
      throw new Error(`${what} has ${body.length} rows and there are ${loras.length} LoRAs: without a file column, rows are taken in the LoRAs' order (${loras[0]}, …), one each`);
    order = loras.map((_, i) => i);
  } else {
    const byAlias = new Map<string, number>();
    loras.forEach((n, i) => aliases(n).forEach((a) => byAlias.set(a, i)));
    const at = new Array<number>(loras.length).fill(-1);
    body.forEach((r, i) => {
      const lora = byAlias.get(r[keyCol].trim());
      if (lora === undefined) throw new Error(`${what} row ${i + 2} is for ${JSON.stringify(r[keyCol])}, which is not among the LoRAs`);
      if (at[lora] >= 0) throw new Error(`${what} rows ${at[lora] + 2} and ${i + 2} are both for ${loras[lora]}`);
      at[lora] = i;
    });
    const missing = loras.filter((_, i) => at[i] < 0);
    if (missing.length)
      throw new Error(`${what} has no row for ${missing.length} LoRA${missing.length > 1 ? 's' : ''}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
    order = at;
  }

  const valueCols = names.map((_, i) => i).filter((i) => i !== keyCol);
  const values = new Float64Array(loras.length * columns.length);
  let integers = true;
  order.forEach((row, lora) => {
    valueCols.forEach((c, j) => {
      const cell = body[row][c].trim();
      const x = Number(cell);
      if (cell === '' || !Number.isFinite(x)) throw new Error(`${what} row ${row + 2}, column ${names[c]}: ${JSON.stringify(cell)} is not a number (labels are 0/1 or ±1)`);
      integers &&= Number.isSafeInteger(x);
      values[lora * columns.length + j] = x;
    });
  });
  return { columns, values, dtype: integers ? 'int64' : 'float64' };
}
