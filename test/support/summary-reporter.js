// Prints the run's totals as one plain line ("N passed, N failed, N skipped") after Jest's own summary, so CI
// logs state what ran without parsing Jest's layout.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped`;
    process.stdout.write(`\njest: ${line}\n`);
  }
}
module.exports = SummaryReporter;
