// Largest and smallest of a list without spreading it into arguments: `Math.max(...values)` puts
// every value on the stack, and past ~120k values (a long history, a long run's timeline) that is
// "Maximum call stack size exceeded".

/** The largest value, and at least `floor` (-Infinity for an empty list, as Math.max()). */
export function maxOf(values: Iterable<number>, floor = -Infinity): number {
  let max = floor
  for (const value of values) if (value > max || Number.isNaN(value)) max = value
  return max
}

/** The smallest value, and at most `ceiling` (Infinity for an empty list, as Math.min()). */
export function minOf(values: Iterable<number>, ceiling = Infinity): number {
  let min = ceiling
  for (const value of values) if (value < min || Number.isNaN(value)) min = value
  return min
}
