export function formatPrice(cents: number, currency = 'EUR'): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(cents / 100)
}

export function applyDiscount(cents: number, percent: number): number {
  if (percent < 0 || percent > 100) throw new RangeError(`discount must be 0–100, got ${percent}`)
  return Math.round(cents * (1 - percent / 100))
}
