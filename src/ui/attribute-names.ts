// What a label column is called on screen: CelebA's "5_o_Clock_Shadow" reads "Stubble", "Pointy_Nose" reads
// "Pointy nose". The column itself stays the key everywhere else (edits, library entries, exports).

/** Names that underscores-to-spaces would not make readable. */
const READABLE: Record<string, string> = {
  '5_o_Clock_Shadow': 'Stubble',
  Arched_Eyebrows: 'Arched eyebrows',
  Bags_Under_Eyes: 'Bags under eyes',
  Big_Lips: 'Full lips',
  Big_Nose: 'Large nose',
  Heavy_Makeup: 'Heavy make-up',
  Mouth_Slightly_Open: 'Mouth open',
  Narrow_Eyes: 'Narrow eyes',
  Receding_Hairline: 'Receding hairline',
};

/** The sliders shown before "More": the official demo's and the most asked-for, where the space has them. */
export const FEATURED_ATTRIBUTES = ['Young', 'Male', 'Chubby', 'Narrow_Eyes', 'Pointy_Nose', 'Wavy_Hair', 'Bushy_Eyebrows', 'No_Beard'];

export function attributeName(column: string): string {
  if (READABLE[column]) return READABLE[column];
  const words = column.replace(/_+/g, ' ').trim().toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : column;
}

/** The space's columns split into the first `count` (featured ones in their order, then the rest in theirs) and the others. */
export function featuredFirst(columns: readonly string[], count = FEATURED_ATTRIBUTES.length): { first: string[]; more: string[] } {
  const featured = FEATURED_ATTRIBUTES.filter((c) => columns.includes(c));
  const ordered = [...featured, ...columns.filter((c) => !featured.includes(c))];
  return { first: ordered.slice(0, count), more: ordered.slice(count) };
}

/** A discovered direction in words from the labelled attributes it is most like: "more Male, less Young". */
export function describeDirection(closest: readonly { name: string; cosine: number }[]): string {
  return closest.map((c) => `${c.cosine >= 0 ? 'more' : 'less'} ${attributeName(c.name)}`).join(', ');
}
