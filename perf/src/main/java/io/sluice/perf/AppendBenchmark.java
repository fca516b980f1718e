package io.sluice.perf;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.engine.LogClaim;
import io.sluice.engine.LogManager;
import io.sluice.engine.PartitionLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
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
 * Appending to a {@link PartitionLog}, three ways:
 * <ul>
 *   <li>{@code append}: {@link PartitionLog#append} of a prebuilt batch: verification (bounds, CRC32C, records), the
 *   copy into the mapped segment, offset assignment, the sparse indexes and the release store that publishes the
 *   batch.</li>
 *   <li>{@code encodeAndAppend}: the producer's whole path, a {@link RecordBatchBuilder} encoding the batch (CRC32C
 *   included) into a reused off-heap buffer, then {@code append}; what {@code EngineComparison} measures.</li>
 *   <li>{@code claimEncodeCommit}: {@link PartitionLog#tryClaim}, the builder encoding straight into the mapped
 *   segment, {@link PartitionLog#commit}: no copy and no CRC check at the log (for trusted in-process writers).</li>
 * </ul>
 * <p>
 * The log has 1 GiB segments, {@code flush.policy=none} and a 64 MiB pretouch window, and its {@link LogManager}
 * runs maintenance on a {@link LogManager.MaintenanceMode#DEDICATED DEDICATED} thread: that is how a broker runs
 * it, pages are touched ahead of the writer off the measured thread, and the benchmark thread stays the log's
 * only writer. ({@code INVOKER} mode would put pretouching inside the measured operation, or leave it undone.)
 * <p>
 * Each iteration starts on a fresh, empty log (deleted and recreated in {@code @Setup(Level.Iteration)}, outside the
 * measurement), and waits there until the maintenance thread has prepared the spare segment it keeps after open
 * (zero-filling 1 GiB takes a second or two), so no allocation runs beside the measured appends and the disk use is
 * bounded. Iterations are short for the same reason: 100 ms of the fastest case writes well under one segment, so
 * the log never rolls; rolls are measured by {@code EngineComparison}. A roll inside an iteration would be reported
 * on standard error, and {@code retention.bytes} caps the disk use even then.
 * <p>
 * Thread: the benchmark thread is the writer; JMH runs setup and teardown on it too.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 100, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 100, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {
    ForkFlags.OPEN_JDK_INTERNAL_MISC, ForkFlags.OPEN_JAVA_UTIL_ZIP, ForkFlags.OPEN_JAVA_NIO, ForkFlags.OPEN_SUN_NIO_CH,
    ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX })
public class AppendBenchmark
{
    private static final long RETENTION_BYTES = 2L * PerfLogs.SEGMENT_BYTES;

    /** Records in the appended batch. */
    @Param({ "1", "64" })
    public int recordsPerBatch;

    /** Value length of each record. */
    @Param({ "100" })
    public int valueLength;

    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final LogClaim claim = new LogClaim();
    private File dataDirectory;
    private LogManager manager;
    private PartitionLog log;
    private UnsafeBuffer batch;
    private int batchLength;
    private UnsafeBuffer scratch;
    private UnsafeBuffer value;
    private long timestamp;
    private long sequence;

    /**
     * Build the batch and open the log manager.
     */
    @Setup(Level.Trial)
    public void setUpTrial()
    {
        timestamp = System.currentTimeMillis();
        batch = PerfBatches.batch(recordsPerBatch, valueLength, timestamp);
        batchLength = batch.capacity();
        scratch = PerfBatches.allocateDirect(batchLength);
        value = PerfBatches.value(valueLength);
        dataDirectory = PerfFiles.createDirectory(PerfFiles.parentDirectory(), "sluice-perf-append-");
        manager = PerfLogs.open(
            dataDirectory,
            PerfLogs.config(PerfLogs.SEGMENT_BYTES, PerfLogs.PRETOUCH_BYTES, RETENTION_BYTES),
            LogManager.MaintenanceMode.DEDICATED);
    }

    /**
     * Start the iteration on a fresh log.
     *
     * @throws InterruptedException if interrupted while the maintenance thread pretouches.
     */
    @Setup(Level.Iteration)
    public void setUpIteration() throws InterruptedException
    {
        if (null != log)
        {
            manager.deleteTopic(PerfLogs.TOPIC);
        }
        log = PerfLogs.createTopic(manager);
        PerfLogs.awaitPreparedSegment(log);
        // Let the maintenance thread touch the first pretouch window before the writer starts.
        Thread.sleep(100);
    }

    /**
     * Report an iteration that went past half a segment, which would make it measure disk bandwidth.
     */
    @TearDown(Level.Iteration)
    public void tearDownIteration()
    {
        if (log.segmentCount() > 1)
        {
            System.err.println("AppendBenchmark: the log rolled " + (log.segmentCount() - 1) +
                " time(s) in this iteration; its time includes segment creation");
        }
        else if (log.sizeInBytes() >= PerfLogs.SEGMENT_BYTES / 2)
        {
            System.err.println("AppendBenchmark: the log passed half a segment in this iteration; the maintenance " +
                "thread was preparing the next segment instead of touching pages");
        }
    }

    /**
     * Close and delete everything.
     */
    @TearDown(Level.Trial)
    public void tearDownTrial()
    {
        manager.deleteTopic(PerfLogs.TOPIC);
        manager.close();
        PerfFiles.deleteRecursively(dataDirectory);
    }

    /**
     * Append the batch once.
     *
     * @return the base offset assigned.
     */
    @Benchmark
    public long append()
    {
        return check(log.append(batch, 0, batchLength));
    }

    /**
     * Encode a batch into a reused buffer and append it.
     *
     * @return the base offset assigned.
     */
    @Benchmark
    public long encodeAndAppend()
    {
        final long first = sequence;
        sequence = first + recordsPerBatch;
        final int length = PerfBatches.encode(builder, scratch, recordsPerBatch, value, valueLength, timestamp, first);
        return check(log.append(scratch, 0, length));
    }

    /**
     * Claim room at the end of the log, encode a batch there and commit it.
     *
     * @return the base offset assigned.
     */
    @Benchmark
    public long claimEncodeCommit()
    {
        check(log.tryClaim(batchLength, claim));
        final long first = sequence;
        sequence = first + recordsPerBatch;
        final int length = PerfBatches.encode(
            builder, claim.buffer(), recordsPerBatch, value, valueLength, timestamp, first);
        return check(log.commit(claim, length));
    }

    private static long check(final long result)
    {
        if (result < 0)
        {
            throw new IllegalStateException("append failed: " + result);
        }
        return result;
    }
}
