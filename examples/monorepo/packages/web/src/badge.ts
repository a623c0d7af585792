export function renderBadge(document: Document, count: number): HTMLElement {
  const badge = document.createElement('span')
  badge.className = 'badge'
  badge.textContent = count > 99 ? '99+' : String(count)
  return badge
}
