import { expect, test } from 'vitest'
import { renderBadge } from '../src/badge.js'

test('caps the count at 99+', () => {
  document.body.append(renderBadge(document, 120))
  expect(document.querySelector('.badge')?.textContent).toBe('99+')
})
