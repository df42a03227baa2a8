/** Adds what was typed into a chips input: split on commas, trimmed, without blanks or repeats (any case). */
export function addChips(current: readonly string[], typed: string): string[] {
  const next = [...current];
  const seen = new Set(current.map((c) => c.toLowerCase()));
  for (const raw of typed.split(',')) {
    const chip = raw.trim();
    if (!chip || seen.has(chip.toLowerCase())) continue;
    seen.add(chip.toLowerCase());
    next.push(chip);
  }
  return next;
}
