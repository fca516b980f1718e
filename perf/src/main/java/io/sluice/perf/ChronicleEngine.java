package io.sluice.perf;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.io.IOTools;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;

/**
 * Chronicle Queue 2026.4 (open source) in {@link EngineComparison}, driven the fastest allocation-free way found
 * for it: {@code ExcerptAppender.writeBytes} of a reused {@link PointerBytesStore} over the off-heap message, and a
 * tailer's {@code readingDocument()} reading the message in place.
 * <p>
 * The queue uses {@code FAST_DAILY} cycles with a clock frozen at open, so it never rolls during a run, and 256 MiB
 * blocks (chunks mapped at a time). {@link ChronicleProperties} must have been applied before this class loads.
 * Chronicle does not force to disk either. Thread: the caller is the only appender and tailer.
 */
final class ChronicleEngine implements EngineUnderTest
{
    static final long BLOCK_SIZE = 256L << 20;

    private final File directory;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final PointerBytesStore pointer = BytesStore.nativePointer();
    private final UnsafeBuffer message;

    ChronicleEngine(final File directory, final int messageLength)
    {
        this.directory = directory;
        this.message = PerfBatches.value(messageLength);
        this.pointer.set(message.addressOffset(), messageLength);
        final long frozenMillis = System.currentTimeMillis();
        this.queue = SingleChronicleQueueBuilder.binary(directory)
            .rollCycle(RollCycles.FAST_DAILY)
            .timeProvider(() -> frozenMillis)
            .blockSize(BLOCK_SIZE)
            .build();
        this.appender = queue.createAppender();
    }

    public String name()
    {
        return "chronicle";
    }

    public void append(final long sequence)
    {
        message.putLong(0, sequence);
        appender.writeBytes(pointer);
    }

    public void scan(final ScanTotals totals)
    {
        long count = 0;
        long sum = 0;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    sum += bytes.readLong(bytes.readPosition());
                    count++;
                }
            }
        }
        totals.count = count;
        totals.sequenceSum = sum;
    }

    public String summary()
    {
        final String[] cycleFiles = directory.list((dir, name) -> name.endsWith(".cq4"));
        return (null == cycleFiles ? 0 : cycleFiles.length) + " cq4 file(s)";
    }

    public void close()
    {
        appender.close();
        queue.close();
        BackgroundResourceReleaser.releasePendingResources();
        IOTools.deleteDirWithFiles(directory);
        PerfFiles.deleteRecursively(directory);
    }
}
