/** Parses a CSV export into row objects, all at once: fine for a sample, heavy for a full export. */
export function parseRows(csv: string): { id: number, name: string, tags: string[] }[] {
  return csv.split('\n').map((line) => {
    const [id, name, tags] = line.split(',')
    return { id: Number(id), name, tags: tags.split(';') }
  })
}

export function exportCsv(rows: number): string {
  const lines: string[] = []
  for (let i = 0; i < rows; i++) lines.push(`${i},customer-${i},vip;eu;newsletter-${i % 7}`)
  return lines.join('\n')
}
