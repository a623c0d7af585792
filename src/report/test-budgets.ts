// One line per test over its withMemoryBudget() budget, naming the file and the test.
import type { MemoryReport } from '../record/report.js'
import { formatBytes } from '../size.js'

export function overBudgetTestLines(report: MemoryReport): string[] {
  return report.files.flatMap(file =>
    file.tests
      .filter(t => t.overBudget)
      .map(
        test =>
          `  ${file.file} > ${test.fullName} added ${formatBytes(test.addedRssBytes)} (peak ${formatBytes(test.peakRssBytes)}, budget ${formatBytes(test.budgetBytes)})`,
      ),
  )
}
