package io.sluice.perf;

import io.sluice.codecs.RecordBatchView;
import io.sluice.engine.LogConfig;
import io.sluice.engine.LogManager;
import io.sluice.engine.LogReadResult;
import io.sluice.engine.PartitionLog;
import org.agrona.DirectBuffer;

import java.io.File;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The Sluice logs the benchmarks write: one topic of one partition in a {@link LogManager} of its own.
 * <p>
 * The configuration is the latency profile of the engine: {@code flush.policy=none} (like Chronicle Queue, which
 * never forces either), large preallocated segments, and pages touched ahead of the writer by the maintenance
 * thread.
 */
final class PerfLogs
{
    /** The benchmarked topic. */
    static final String TOPIC = "perf";
    /** The largest segment the engine allows. */
    static final int SEGMENT_BYTES = 1 << 30;
    /** How far ahead of the writer the maintenance thread touches pages. */
    static final int PRETOUCH_BYTES = 64 << 20;

    private PerfLogs()
    {
    }

    /**
     * The log configuration of the benchmarks.
     *
     * @param segmentBytes   segment size.
     * @param pretouchBytes  pretouch window, 0 for none.
     * @param retentionBytes size past which sealed segments are deleted, -1 for no limit.
     * @return the configuration.
     */
    static LogConfig config(final int segmentBytes, final int pretouchBytes, final long retentionBytes)
    {
        return LogConfig.defaults().with(Map.of(
            LogConfig.SEGMENT_BYTES, String.valueOf(segmentBytes),
            LogConfig.FLUSH_POLICY, "none",
            LogConfig.PRETOUCH_BYTES, String.valueOf(pretouchBytes),
            LogConfig.RETENTION_BYTES, String.valueOf(retentionBytes),
            LogConfig.RETENTION_MS, "-1"));
    }

    /**
     * Open a log manager.
     *
     * @param dataDirectory of the manager.
     * @param config        of its topics.
     * @param mode          of its maintenance agent.
     * @return the open manager.
     */
    static LogManager open(final File dataDirectory, final LogConfig config, final LogManager.MaintenanceMode mode)
    {
        return LogManager.open(new LogManager.Context()
            .dataDirectory(dataDirectory)
            .defaultConfig(config)
            .maintenanceMode(mode));
    }

    /**
     * Create the benchmarked topic.
     *
     * @param manager to create it in.
     * @return its only partition.
     */
    static PartitionLog createTopic(final LogManager manager)
    {
        return manager.createTopic(TOPIC, 1, Map.of()).get(0);
    }

    /**
     * Bring a new log to the steady state of a running broker: its active segment a full one, and the spare segment
     * that the maintenance thread prepares ready. Without this, a writer appending at full speed into a log opened a moment ago can fill its
     * first segment before the spare is allocated, and pays for the allocation itself; and the allocation (zero-filling
     * a segment) would run on the other core while appends are measured.
     *
     * @param log just created.
     */
    static void awaitPreparedSegment(final PartitionLog log)
    {
        // A new log starts in a 1 MiB starter segment: swap in the full prepared one, then wait for the next spare.
        awaitSpare(log);
        if (log.promotePreparedSegment())
        {
            awaitSpare(log);
        }
    }

    private static void awaitSpare(final PartitionLog log)
    {
        final long deadlineNs = System.nanoTime() + 120_000_000_000L;
        while (!log.isNextSegmentPrepared())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the next segment was not prepared within 120 s");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * Read every record from the log start to the log end, {@code fetchBytes} at a time, summing the sequence number
     * at the start of each value: the scan of {@link ReadBenchmark} and {@link EngineComparison}. Allocation-free.
     *
     * @param log        to scan.
     * @param fetchBytes per read.
     * @param result     reused read result; released at the end.
     * @param view       reused batch view.
     * @param totals     reset, then filled with the record count and the sum of sequences.
     */
    static void scan(
        final PartitionLog log,
        final int fetchBytes,
        final LogReadResult result,
        final RecordBatchView view,
        final EngineUnderTest.ScanTotals totals)
    {
        long count = 0;
        long sum = 0;
        long offset = log.logStartOffset();
        final long end = log.logEndOffset();
        while (offset < end)
        {
            final int status = log.read(offset, fetchBytes, result);
            if (LogReadResult.OK != status)
            {
                throw new IllegalStateException("read at offset " + offset + " failed: " + status);
            }
            final DirectBuffer buffer = result.buffer();
            final int length = result.length();
            for (int position = 0; position < length; position += result.batchLengthAt(position))
            {
                view.wrap(buffer, position);
                while (view.nextRecord())
                {
                    sum += PerfBatches.sequence(view.value());
                    count++;
                }
            }
            offset = result.nextOffset();
        }
        result.release();
        totals.count = count;
        totals.sequenceSum = sum;
    }
}
