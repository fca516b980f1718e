package io.sluice.perf;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.RecordBatchView;
import io.sluice.engine.LogClaim;
import io.sluice.engine.LogConfig;
import io.sluice.engine.LogManager;
import io.sluice.engine.LogReadResult;
import io.sluice.engine.PartitionLog;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;

/**
 * Sluice's engine in {@link EngineComparison}: one record per batch, encoded with a {@link RecordBatchBuilder} into
 * a reused off-heap buffer (CRC32C included) and handed to {@link PartitionLog#append} (which verifies it, copies
 * it into the mapped segment and publishes it) - the path a produced message takes through the broker. With
 * {@code inPlace}, the batch is encoded straight into the segment ({@link PartitionLog#tryClaim},
 * {@link PartitionLog#commit}): the path of a trusted in-process writer, without the copy and the second CRC.
 * Scans fetch 1 MiB at a time with {@link PartitionLog#read} and step through every record with a
 * {@link RecordBatchView}.
 * <p>
 * The {@link LogManager} runs its maintenance thread ({@code DEDICATED}): it prepares the next segment and touches
 * pages ahead of the writer; measurement starts once the first spare segment is ready, as in a running broker. The record timestamp is taken once when the store opens (stamping each record would
 * add a {@code System.currentTimeMillis()} call that Chronicle is not asked to make). Thread: the caller is the
 * log's only writer and reader.
 */
final class SluiceEngine implements EngineUnderTest
{
    static final int FETCH_BYTES = 1 << 20;

    private final File directory;
    private final LogManager manager;
    private final PartitionLog log;
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final RecordBatchView view = new RecordBatchView();
    private final LogReadResult result = new LogReadResult();
    private final UnsafeBuffer batch;
    private final UnsafeBuffer value;
    private final int valueLength;
    private final long timestamp;
    private final boolean inPlace;
    private final LogClaim claim = new LogClaim();
    private final int claimLength;

    SluiceEngine(final File directory, final LogConfig config, final int valueLength, final boolean inPlace)
    {
        this.directory = directory;
        this.valueLength = valueLength;
        this.inPlace = inPlace;
        this.claimLength = PerfBatches.capacityFor(1, valueLength);
        this.batch = PerfBatches.allocateDirect(PerfBatches.capacityFor(1, valueLength));
        this.value = PerfBatches.value(valueLength);
        this.timestamp = System.currentTimeMillis();
        this.manager = PerfLogs.open(directory, config, LogManager.MaintenanceMode.DEDICATED);
        this.log = PerfLogs.createTopic(manager);
        PerfLogs.awaitPreparedSegment(log);
    }

    public String name()
    {
        return "sluice";
    }

    public void append(final long sequence)
    {
        value.putLong(0, sequence);
        final long baseOffset;
        if (inPlace)
        {
            final long claimed = log.tryClaim(claimLength, claim);
            if (claimed < 0)
            {
                throw new IllegalStateException("claim refused: " + claimed);
            }
            builder.wrap(claim.buffer(), 0, claimLength).append(timestamp, null, 0, 0, value, 0, valueLength);
            baseOffset = log.commit(claim, builder.build());
        }
        else
        {
            builder.wrap(batch, 0, batch.capacity()).append(timestamp, null, 0, 0, value, 0, valueLength);
            final int length = builder.build();
            baseOffset = log.append(batch, 0, length);
        }
        if (baseOffset < 0)
        {
            throw new IllegalStateException("append refused: " + baseOffset);
        }
    }

    public void scan(final ScanTotals totals)
    {
        PerfLogs.scan(log, FETCH_BYTES, result, view, totals);
    }

    public String summary()
    {
        return log.segmentCount() + " segment(s)";
    }

    public void close()
    {
        result.release();
        // Deleting the topic drops the data without the fsync that a close would do.
        manager.deleteTopic(PerfLogs.TOPIC);
        manager.close();
        PerfFiles.deleteRecursively(directory);
    }
}
