package io.sluice.perf;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.RecordBatchDescriptor;
import io.sluice.codecs.RecordBatchView;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The record batch codec on its own, per batch of {@code records} records with a null key and a 100-byte value:
 * <ul>
 *   <li>{@code encode}: {@link RecordBatchBuilder} into an off-heap buffer, header and CRC32C included (what a
 *   producer does per batch).</li>
 *   <li>{@code encodeIntoHeapBuffer}: the same into a buffer over a {@code byte[]}, where the CRC takes the
 *   {@code java.util.zip.CRC32C} path of {@code Crc32cChecksum}.</li>
 *   <li>{@code verify}: {@link RecordBatchDescriptor#verify}, the check every batch passes before it is stored.</li>
 *   <li>{@code decode}: {@link RecordBatchView} over every record, reading its offset, timestamp and the first 8
 *   bytes of its value.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    ForkFlags.OPEN_JDK_INTERNAL_MISC, ForkFlags.OPEN_JAVA_UTIL_ZIP, ForkFlags.OPEN_JAVA_NIO, ForkFlags.OPEN_SUN_NIO_CH,
    ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX })
public class CodecBenchmark
{
    /** Records per batch. */
    @Param({ "1", "64" })
    public int records;

    /** Value length of each record. */
    @Param({ "100" })
    public int valueLength;

    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final RecordBatchView view = new RecordBatchView();
    private UnsafeBuffer directBuffer;
    private UnsafeBuffer heapBuffer;
    private UnsafeBuffer value;
    private UnsafeBuffer batch;
    private int batchLength;
    private long timestamp;
    private long sequence;

    /**
     * Allocate the buffers and build the batch that is verified and decoded.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final int capacity = PerfBatches.capacityFor(records, valueLength);
        directBuffer = PerfBatches.allocateDirect(capacity);
        heapBuffer = new UnsafeBuffer(new byte[capacity]);
        value = PerfBatches.value(valueLength);
        timestamp = System.currentTimeMillis();
        batch = PerfBatches.batch(records, valueLength, timestamp);
        batchLength = batch.capacity();
    }

    /**
     * Encode a batch into an off-heap buffer.
     *
     * @return the batch length.
     */
    @Benchmark
    public int encode()
    {
        final long first = sequence;
        sequence = first + records;
        return PerfBatches.encode(builder, directBuffer, records, value, valueLength, timestamp, first);
    }

    /**
     * Encode a batch into a heap buffer.
     *
     * @return the batch length.
     */
    @Benchmark
    public int encodeIntoHeapBuffer()
    {
        final long first = sequence;
        sequence = first + records;
        return PerfBatches.encode(builder, heapBuffer, records, value, valueLength, timestamp, first);
    }

    /**
     * Verify the batch.
     *
     * @return its length, as verify returns it.
     */
    @Benchmark
    public int verify()
    {
        final int result = RecordBatchDescriptor.verify(batch, 0, batchLength, batchLength);
        if (result != batchLength)
        {
            throw new IllegalStateException(RecordBatchDescriptor.errorMessage(result));
        }
        return result;
    }

    /**
     * Step through the records of the batch.
     *
     * @return a sum over every record read.
     */
    @Benchmark
    public long decode()
    {
        long sum = 0;
        view.wrap(batch, 0);
        while (view.nextRecord())
        {
            sum += view.offset() + view.timestamp() + PerfBatches.sequence(view.value());
        }
        return sum;
    }
}
