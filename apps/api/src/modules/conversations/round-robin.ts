/**
 * Round-robin selection, kept free of I/O so it can be tested on its own. `members` are the inbox's active
 * agents in a stable order; the rotation turn comes from a shared Redis counter (INCR), so every API replica
 * continues the same rotation.
 */
export interface RoundRobinInput {
  members: string[];
  online: ReadonlySet<string>;
  /** Open + pending conversations currently assigned to each agent (missing = 0). */
  openCounts: ReadonlyMap<string, number>;
  maxOpenPerAgent: number;
}

/** Agents who may take one more conversation now: online and below the inbox's cap, in member order. */
export function eligibleAgents(input: RoundRobinInput): string[] {
  return input.members.filter(
    (id) => input.online.has(id) && (input.openCounts.get(id) ?? 0) < input.maxOpenPerAgent,
  );
}

/**
 * The agent whose turn it is. `turn` is the counter's value after INCR (1, 2, 3, …). Rotating over the eligible
 * agents, not over all members, keeps it fair when some are away: with A and C online out of A, B, C, turns go
 * A, C, A, C rather than giving C every turn that would have been B's.
 */
export function pickAgent(eligible: readonly string[], turn: number): string | undefined {
  if (!eligible.length) return undefined;
  const index = (((turn - 1) % eligible.length) + eligible.length) % eligible.length;
  return eligible[index];
}
