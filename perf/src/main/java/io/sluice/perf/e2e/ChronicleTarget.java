package io.sluice.perf.e2e;

import io.sluice.perf.ChronicleProperties;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Properties;

/**
 * Chronicle Queue (open source) as the log, in this JVM, with no broker and no network: the peer a Chronicle Queue
 * user would compare Sluice with. One queue in a scratch directory, {@code FAST_DAILY} cycles with a clock frozen at
 * start so that it never rolls (one file), {@value #BLOCK_SIZE_MIB} MiB blocks, no {@code msync}
 * ({@link SyncMode#NONE}); Chronicle's disk-space monitor, analytics and banner are off
 * ({@link ChronicleProperties}).
 * <p>
 * Chronicle Queue has no partitions: {@link E2eSettings#partitions()} is ignored and every producer appends to the
 * one queue. Producer: {@link ExcerptAppender#writeBytes(BytesStore)} of a reused {@link PointerBytesStore} over the
 * record's bytes; a record is acknowledged as soon as it is written, inside {@link E2eProducer#send}, whatever the
 * {@code acks} level (there is nobody else to wait for). Consumer: a tailer positioned {@code toEnd()} when created,
 * reading each document in place.
 * <p>
 * Threads: Chronicle's appenders and tailers are single-threaded and check it. A producer's appender is created by
 * {@link #newProducer}, on the thread that then sends with it (the harness opens each producer on its sending
 * thread). A consumer's tailer is created and positioned by {@link #newConsumer} on the harness's thread, then handed
 * to the consumer thread with {@code singleThreadedCheckReset()}: the first thread to use it afterwards owns it.
 * {@link ChronicleProperties#apply()} runs in {@link #start}, before any Chronicle class is initialised, unless
 * {@code PerfMain} already did.
 */
final class ChronicleTarget implements E2eTarget
{
    static final String NAME = "chronicle";
    static final int BLOCK_SIZE_MIB = 256;
    /** Documents handed to the handler per {@link E2eConsumer#poll} at most. */
    static final int POLL_LIMIT = 256;

    private File directory;
    private SingleChronicleQueue queue;

    public String name()
    {
        return NAME;
    }

    public void start(final E2eSettings settings) throws IOException
    {
        ChronicleProperties.apply();
        directory = Files.createTempDirectory(settings.directory().toPath(), "sluice-e2e-chronicle-").toFile();
        final long frozenMillis = System.currentTimeMillis();
        queue = SingleChronicleQueueBuilder.binary(directory)
            .rollCycle(RollCycles.FAST_DAILY)
            .timeProvider(() -> frozenMillis)
            .blockSize((long)BLOCK_SIZE_MIB << 20)
            .syncMode(SyncMode.NONE)
            .build();
    }

    public String description()
    {
        return "Chronicle Queue " + chronicleVersion() + " in this JVM, no broker: one queue (partitions ignored), " +
            "one file (FAST_DAILY, clock frozen), " + BLOCK_SIZE_MIB + " MiB blocks, no msync\n" +
            "  producer: appender.writeBytes of a pointer over the record, acknowledged once written (any acks); " +
            "consumer: tailer from toEnd(), readingDocument() in place, up to " + POLL_LIMIT + " per poll";
    }

    public E2eProducer newProducer(
        final int acks, final ProducerProfile profile, final E2eProducer.AckListener listener)
    {
        return new Producer(queue.createAppender(), listener);
    }

    public E2eConsumer newConsumer()
    {
        final ExcerptTailer tailer = queue.createTailer();
        try
        {
            tailer.toEnd();
            // Used on this thread so far; the consumer thread takes it over at its first poll.
            tailer.singleThreadedCheckReset();
            return new Consumer(tailer);
        }
        catch (final RuntimeException ex)
        {
            tailer.close();
            throw ex;
        }
    }

    public void close()
    {
        if (null != queue)
        {
            // Closes the appenders and tailers still open, too.
            queue.close();
            queue = null;
            // Unmaps now rather than on Chronicle's background thread, so that the files can go.
            BackgroundResourceReleaser.releasePendingResources();
        }
        if (null != directory)
        {
            IoUtil.delete(directory, true);
            directory = null;
        }
    }

    /**
     * The version of Chronicle Queue on the class path.
     *
     * @return for example {@code 2026.4}, or {@code unknown}.
     */
    static String chronicleVersion()
    {
        final Properties properties = new Properties();
        try (InputStream in = SingleChronicleQueue.class.getResourceAsStream(
            "/META-INF/maven/net.openhft/chronicle-queue/pom.properties"))
        {
            if (null != in)
            {
                properties.load(in);
            }
        }
        catch (final IOException ignore)
        {
            // reported as unknown
        }
        return properties.getProperty("version", "unknown");
    }

    /**
     * Appends each record as one document and acknowledges it at once. Allocation-free per record, but for the first
     * record from a heap buffer (or a larger one), which sizes the copy buffer.
     * <p>
     * Threads: the thread that created it, only (Chronicle checks).
     */
    static final class Producer implements E2eProducer
    {
        private final ExcerptAppender appender;
        private final AckListener listener;
        private final PointerBytesStore pointer = BytesStore.nativePointer();
        /** Off-heap copy of records that come in a heap buffer: the pointer needs an address. */
        private UnsafeBuffer offHeapCopy;

        Producer(final ExcerptAppender appender, final AckListener listener)
        {
            this.appender = appender;
            this.listener = listener;
        }

        public boolean send(final DirectBuffer buffer, final int offset, final int length, final long sequence)
        {
            final long address;
            if (null == buffer.byteArray())
            {
                address = buffer.addressOffset() + offset;
            }
            else
            {
                if (null == offHeapCopy || offHeapCopy.capacity() < length)
                {
                    offHeapCopy = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                        BitUtil.align(length, Long.BYTES), Long.BYTES));
                }
                offHeapCopy.putBytes(0, buffer, offset, length);
                address = offHeapCopy.addressOffset();
            }
            pointer.set(address, length);
            appender.writeBytes(pointer);
            listener.onAck(sequence);
            return true;
        }

        public int poll()
        {
            return 0;
        }

        public boolean flush(final long timeoutNs)
        {
            return true;
        }

        public void close()
        {
            appender.close();
        }
    }

    /**
     * Hands each document to the handler in place, through a reused view over its bytes. Allocation-free.
     * <p>
     * Threads: polled by one thread, the consumer thread; closed by the harness after that thread has ended.
     */
    static final class Consumer implements E2eConsumer
    {
        private final ExcerptTailer tailer;
        private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);

        Consumer(final ExcerptTailer tailer)
        {
            this.tailer = tailer;
        }

        public int poll(final RecordHandler handler)
        {
            int count = 0;
            while (count < POLL_LIMIT)
            {
                try (DocumentContext context = tailer.readingDocument())
                {
                    if (!context.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = context.wire().bytes();
                    final int length = (int)bytes.readRemaining();
                    // The queue's bytes are memory-mapped; the two-argument form keeps the document contiguous even
                    // where it crosses into the overlap of the next block.
                    view.wrap(bytes.addressForRead(bytes.readPosition(), length), length);
                    handler.onRecord(view, 0, length);
                    count++;
                }
            }
            return count;
        }

        public void close()
        {
            tailer.close();
        }
    }
}
