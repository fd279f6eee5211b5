const Sequencer = require('@jest/test-sequencer').default;

/**
 * Longest first, so that the last file to start does not set the run's end. Jest's own order does that from the
 * durations it recorded on this machine; on a clean checkout (CI) it has none and goes by file size, which would
 * start the integration suites (seconds of waiting on real programs each) among the last. Without recorded
 * durations for every file, the integration suites go first, in Jest's order.
 */
class SlowestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.every((t) => t.duration != null)) return sorted;
    const integration = (t) => t.context.config.displayName?.name === 'integration';
    return [...sorted.filter(integration), ...sorted.filter((t) => !integration(t))];
  }
}

module.exports = SlowestFirst;
