package io.sluice.perf;

/**
 * One store in {@link EngineComparison}: appends messages of a fixed size whose first 8 bytes are a sequence
 * number, and scans them back. Implementations do the same work per message, allocate nothing per message, and are
 * used by one thread.
 */
interface EngineUnderTest extends AutoCloseable
{
    /**
     * Name in the report.
     *
     * @return a short lower-case name.
     */
    String name();

    /**
     * Append one message, the full path the store gives a message.
     *
     * @param sequence written in the first 8 bytes of the message.
     * @throws IllegalStateException if the store refuses the message.
     */
    void append(long sequence);

    /**
     * Read every message from the first, reading the sequence of each.
     *
     * @param totals receives the count and the sum of the sequences.
     */
    void scan(ScanTotals totals);

    /**
     * A few words on the state of the store, for the report.
     *
     * @return for example the number of segments or files.
     */
    String summary();

    /**
     * Close the store and delete its files.
     */
    void close();

    /**
     * What a scan saw.
     */
    final class ScanTotals
    {
        long count;
        long sequenceSum;

        void reset()
        {
            count = 0;
            sequenceSum = 0;
        }
    }
}
