package io.sluice.perf;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.RecordBatchView;
import io.sluice.engine.LogManager;
import io.sluice.engine.LogReadResult;
import io.sluice.engine.PartitionLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * Reading a prefilled log of {@value #RECORDS} records of 100 bytes (about 100 MB, so it stays in the page cache):
 * <ul>
 *   <li>{@code scan}: the whole log, fetching 1 MiB at a time with {@link PartitionLog#read} into a reused
 *   {@link LogReadResult} and stepping through every record with a {@link RecordBatchView}, reading the first 8 bytes
 *   of each value. Reported per record.</li>
 *   <li>{@code readOneBatch}: one read of one batch ({@code maxBytes} 1) and its records: the per-fetch cost (segment
 *   lookup, index search, pinning the segment).</li>
 *   <li>{@code offsetForTimestamp}: {@link PartitionLog#offsetForTimestamp} of a timestamp inside the log (each batch
 *   is 1 ms later than the one before), cycling through the log.</li>
 * </ul>
 * The log is written once per trial; maintenance runs in {@code INVOKER} mode and is never invoked, so no
 * background thread competes with the reader. Thread: the benchmark thread is the writer during setup and the only
 * reader afterwards.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    ForkFlags.OPEN_JDK_INTERNAL_MISC, ForkFlags.OPEN_JAVA_UTIL_ZIP, ForkFlags.OPEN_JAVA_NIO, ForkFlags.OPEN_SUN_NIO_CH,
    ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX })
public class ReadBenchmark
{
    /** Records in the log: a multiple of every batch size benchmarked. */
    static final int RECORDS = 1 << 19;
    private static final int FETCH_BYTES = 1 << 20;
    private static final int SEGMENT_BYTES = 256 << 20;

    /** Records per batch in the log. */
    @Param({ "1", "64" })
    public int recordsPerBatch;

    /** Value length of each record. */
    @Param({ "100" })
    public int valueLength;

    private final LogReadResult result = new LogReadResult();
    private final RecordBatchView view = new RecordBatchView();
    private final EngineUnderTest.ScanTotals totals = new EngineUnderTest.ScanTotals();
    private File dataDirectory;
    private LogManager manager;
    private PartitionLog log;
    private long firstTimestamp;
    private int batches;
    private long cursor;
    private int timestampCursor;

    /**
     * Write the log.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        dataDirectory = PerfFiles.createDirectory(PerfFiles.parentDirectory(), "sluice-perf-read-");
        manager = PerfLogs.open(
            dataDirectory, PerfLogs.config(SEGMENT_BYTES, 0, -1), LogManager.MaintenanceMode.INVOKER);
        log = PerfLogs.createTopic(manager);

        final RecordBatchBuilder builder = new RecordBatchBuilder();
        final UnsafeBuffer batch = PerfBatches.allocateDirect(PerfBatches.capacityFor(recordsPerBatch, valueLength));
        final UnsafeBuffer value = PerfBatches.value(valueLength);
        firstTimestamp = System.currentTimeMillis() - 24L * 60 * 60 * 1000;
        batches = RECORDS / recordsPerBatch;
        for (int i = 0; i < batches; i++)
        {
            final int length = PerfBatches.encode(
                builder, batch, recordsPerBatch, value, valueLength, firstTimestamp + i, (long)i * recordsPerBatch);
            if (log.append(batch, 0, length) < 0)
            {
                throw new IllegalStateException("prefill failed at batch " + i);
            }
        }
        if (1 != log.segmentCount())
        {
            throw new IllegalStateException("the prefilled log should fit one segment: " + log.segmentCount());
        }
    }

    /**
     * Close and delete everything.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        result.release();
        manager.deleteTopic(PerfLogs.TOPIC);
        manager.close();
        PerfFiles.deleteRecursively(dataDirectory);
    }

    /**
     * Read every record of the log.
     *
     * @return the sum of the sequence numbers read.
     */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long scan()
    {
        PerfLogs.scan(log, FETCH_BYTES, result, view, totals);
        if (totals.count != RECORDS)
        {
            throw new IllegalStateException("scanned " + totals.count + " records, expected " + RECORDS);
        }
        return totals.sequenceSum;
    }

    /**
     * Read the next batch and its records, wrapping around at the end of the log.
     *
     * @return the sum of the sequence numbers read.
     */
    @Benchmark
    public long readOneBatch()
    {
        if (LogReadResult.OK != log.read(cursor, 1, result))
        {
            throw new IllegalStateException("read failed at offset " + cursor + ": " + result.status());
        }
        long sum = 0;
        view.wrap(result.buffer(), 0);
        while (view.nextRecord())
        {
            sum += PerfBatches.sequence(view.value());
        }
        final long next = result.nextOffset();
        cursor = next == RECORDS ? 0 : next;
        return sum;
    }

    /**
     * Find the offset of the next timestamp, wrapping around at the end of the log.
     *
     * @return the offset found.
     */
    @Benchmark
    public long offsetForTimestamp()
    {
        final int batch = timestampCursor;
        timestampCursor = batch + 1 == batches ? 0 : batch + 1;
        final long offset = log.offsetForTimestamp(firstTimestamp + batch);
        if ((long)batch * recordsPerBatch != offset)
        {
            throw new IllegalStateException("offsetForTimestamp(batch " + batch + ") = " + offset);
        }
        return offset;
    }
}
