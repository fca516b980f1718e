package io.sluice.client;

import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

import java.io.File;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stalled subscriber in front of a broker holding 1 GiB: the client holds no more than its configured bound,
 * whatever the broker has. The broker runs in another process so that this JVM's memory is the client's alone.
 * Tagged {@code soak}: it writes a gigabyte, so it runs with {@code -Psoak}, not in the default suite (which has the
 * same check at 2 MB in {@code SluiceClientTest}).
 */
@Tag("soak")
class MemoryBoundSoakTest
{
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final long BROKER_BYTES = 1L << 30;
    private static final int VALUE_BYTES = 8 * 1024;
    private static final int PARTITIONS = 4;
    private static final long BOUND = 4 * 1024 * 1024;
    /** What the client may allocate beyond the records it holds: classes, Reactor and Aeron client state, slack. */
    private static final long FIXED_OVERHEAD = 64 * 1024 * 1024;

    @TempDir
    File dataDirectory;
    @TempDir
    File workDirectory;

    private TestBrokerProcess broker;
    private SluiceClient client;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(client, broker);
    }

    @Test
    void shouldHoldNoMoreThanTheBoundBehindAStalledSubscriberWhateverTheBrokerHas() throws Exception
    {
        final String listen;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            listen = "127.0.0.1:" + socket.getLocalPort();
        }
        broker = TestBrokerProcess.start(dataDirectory, listen, workDirectory);
        client = SluiceClient.create(ClientOptions.create(listen)
            .withTermLength(TestBroker.TERM_LENGTH)
            .withRequestTimeout(Duration.ofSeconds(30)));
        client.admin().createTopic("gigabyte", PARTITIONS, 1, Map.of(
            "segment.bytes", String.valueOf(256 * 1024 * 1024),
            "segment.index.bytes", String.valueOf(4 * 1024 * 1024))).block(TIMEOUT);

        final byte[] value = new byte[VALUE_BYTES];
        final int count = (int)(BROKER_BYTES / VALUE_BYTES);
        final long sent = client.producer(ProducerOptions.create(Serdes.bytesSerializer(), Serdes.bytesSerializer()))
            .send(Flux.range(0, count).map((i) -> ProducerRecord.<byte[], byte[]>of("gigabyte", null, value)))
            .filter(SendResult::isSuccess)
            .count()
            .block(TIMEOUT);
        assertEquals(count, sent, "the broker holds 1 GiB");

        final long before = clientMemory();
        final StalledSubscriber stalled = new StalledSubscriber(100);
        client.consumer(ConsumerOptions.create(Serdes.bytesDeserializer(), Serdes.bytesDeserializer())
                .withTopics("gigabyte")
                .withOffsetReset(OffsetReset.EARLIEST)
                .withMaxBufferedBytes(BOUND))
            .receive()
            .subscribe(stalled);
        await(() -> stalled.received.size() == 100, "the first request served");

        final io.sluice.client.internal.DefaultSluiceClient internal =
            (io.sluice.client.internal.DefaultSluiceClient)client;
        long maxHeld = 0;
        for (int i = 0; i < 30; i++) // three seconds of a stalled subscriber
        {
            maxHeld = Math.max(maxHeld, internal.heldBytes().get(30, TimeUnit.SECONDS));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        final long grown = clientMemory() - before;
        System.out.printf("stalled subscriber, broker holding %d bytes: held at most %d (bound %d), client memory " +
            "grew by %d%n", BROKER_BYTES, maxHeld, BOUND, grown);
        assertEquals(100, stalled.received.size(), "nothing beyond what was requested");
        assertTrue(maxHeld > 0 && maxHeld <= BOUND, "held " + maxHeld + " within " + BOUND);
        assertTrue(grown < BOUND + FIXED_OVERHEAD, "client heap and direct memory grew by " + grown);

        stalled.request(1000); // demand again: the records come, the bound still holds
        await(() -> stalled.received.size() == 1100, "the next request served");
        assertTrue(internal.heldBytes().get(30, TimeUnit.SECONDS) <= BOUND);
        assertNull(stalled.error.get());
        stalled.dispose();
    }

    private static long clientMemory()
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            used += pool.getMemoryUsed();
        }
        return used;
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Requests a number of records once, then nothing until told. */
    private static final class StalledSubscriber extends BaseSubscriber<ConsumerRecord<byte[], byte[]>>
    {
        private final int initial;
        final List<Long> received = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();

        StalledSubscriber(final int initial)
        {
            this.initial = initial;
        }

        protected void hookOnSubscribe(final Subscription subscription)
        {
            subscription.request(initial);
        }

        protected void hookOnNext(final ConsumerRecord<byte[], byte[]> record)
        {
            received.add(record.offset());
        }

        protected void hookOnError(final Throwable throwable)
        {
            error.set(throwable);
        }
    }
}
