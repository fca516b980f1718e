package io.sluice.cli;

import io.sluice.broker.SluiceBroker;
import io.sluice.client.ClientOptions;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.OffsetReset;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.client.TopicPartition;
import io.sluice.engine.LogConfig;
import io.sluice.streams.examples.WordCount;
import io.sluice.streams.internals.Checkpoint;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import java.io.File;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code sluice streams wordcount} in a child JVM, killed with SIGKILL in the middle of its input and started again:
 * the counts are exact, and the outputs, repeats dropped by their origin header, are those of one uninterrupted run.
 */
class StreamsKillTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String[] WORDS = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"};
    private static final int LINES = 3_000;

    @TempDir
    File dataDirectory;
    @TempDir
    File workDirectory;

    private SluiceBroker broker;
    private SluiceClient client;
    private Disposable reading;
    private final Map<String, List<Long>> outputs = new ConcurrentHashMap<>();
    private final Set<ByteBuffer> origins = ConcurrentHashMap.newKeySet();
    private final AtomicInteger repeats = new AtomicInteger();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void launch()
    {
        broker = SluiceBroker.launch(new SluiceBroker.Context()
            .dataDirectory(dataDirectory)
            .listen("127.0.0.1:0")
            .clientTermLength(1024 * 1024)
            .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(1024 * 1024))
            .logDefault(LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.PRETOUCH_BYTES, "0"));
        client = SluiceClient.create(ClientOptions.create(broker.listenEndpoint())
            .withAeronDirectoryName(broker.aeronDirectoryName()));
    }

    @AfterEach
    void close()
    {
        if (null != reading)
        {
            reading.dispose();
        }
        CloseHelper.closeAll(client, broker);
    }

    @Test
    void shouldCountExactlyAfterTheApplicationIsKilledAndStartedAgain() throws Exception
    {
        final String[] command = {"streams", "wordcount", "--bootstrap", broker.listenEndpoint(),
            "--application-id", "killed", "--partitions", "2"};
        try (ChildProcess first = ChildProcess.start(workDirectory, null, command))
        {
            first.awaitLine("running", TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            read();
            send(0, LINES / 2);
            await(() -> outputs.values().stream().mapToInt(List::size).sum() > LINES / 4,
                () -> "some of the first half counted");
            await(() -> committedLines() > 0, () -> "a checkpoint written and its offsets committed");
            // The second half in small steps, and the kill once half of it is counted: in the middle of its work.
            final Thread sender = new Thread(() ->
            {
                for (int from = LINES / 2; from < LINES; from += 50)
                {
                    send(from, Math.min(LINES, from + 50));
                    LockSupport.parkNanos(20_000_000L);
                }
            }, "kill-test-sender");
            sender.start();
            await(() -> outputs.values().stream().mapToInt(List::size).sum() > 2 * (3 * LINES / 4),
                () -> "half of the second half counted");
            first.kill();
            sender.join(TIMEOUT.toMillis());
        }
        try (ChildProcess second = ChildProcess.start(workDirectory, null, command))
        {
            second.awaitLine("running", TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            final Map<String, Long> expected = expectedCounts();
            await(() -> latest().equals(expected), () -> "final counts " + latest() + ", expected " + expected);
            final Map<String, List<Long>> oneRun = new TreeMap<>();
            expected.forEach((word, count) -> oneRun.put(word, LongStream.rangeClosed(1, count).boxed().toList()));
            assertEquals(oneRun, new TreeMap<>(outputs), "each word's outputs 1, 2, ... its count");
            // What the kill left to do again varies with where it fell: for the test's log.
            System.out.println("StreamsKillTest: " + repeats.get() + " outputs repeated after the kill, dropped");
        }
    }

    private void read()
    {
        reading = client.consumer(ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.longDeserializer())
                .withTopics(WordCount.OUTPUT)
                .withOffsetReset(OffsetReset.EARLIEST))
            .receiveAutoAck()
            .subscribe((record) ->
            {
                final ByteBuffer origin = record.headers().stream()
                    .filter((h) -> h.key().equals(Checkpoint.Origin.HEADER))
                    .map((h) -> ByteBuffer.wrap(h.value())).findFirst().orElseThrow();
                if (origins.add(origin))
                {
                    outputs.computeIfAbsent(record.key(), (k) -> new CopyOnWriteArrayList<>()).add(record.value());
                }
                else
                {
                    repeats.incrementAndGet();
                }
            }, errors::add);
    }

    private long committedLines()
    {
        long committed = 0;
        for (int p = 0; p < 2; p++)
        {
            final Long offset = client.admin().committedOffset("killed", new TopicPartition(WordCount.INPUT, p))
                .block(TIMEOUT);
            committed += null == offset || offset < 0 ? 0 : offset;
        }
        return committed;
    }

    private static String line(final int i)
    {
        return WORDS[i % WORDS.length] + " " + WORDS[(i * 3 + 1) % WORDS.length].toUpperCase(Locale.ROOT);
    }

    private void send(final int from, final int to)
    {
        client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.range(from, to - from).map((i) -> ProducerRecord.of(WordCount.INPUT, "line-" + i, line(i))))
            .blockLast(TIMEOUT);
    }

    private static Map<String, Long> expectedCounts()
    {
        final Map<String, Long> counts = new TreeMap<>();
        for (int i = 0; i < LINES; i++)
        {
            for (final String word : line(i).toLowerCase(Locale.ROOT).split(" "))
            {
                counts.merge(word, 1L, Long::sum);
            }
        }
        return counts;
    }

    private Map<String, Long> latest()
    {
        final Map<String, Long> latest = new TreeMap<>();
        outputs.forEach((word, counts) -> latest.put(word, counts.get(counts.size() - 1)));
        return latest;
    }

    private void await(final BooleanSupplier condition, final Supplier<String> what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (!errors.isEmpty())
            {
                fail(what.get() + ": " + errors.get(0), errors.get(0));
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what.get());
            }
            Thread.sleep(20);
        }
    }
}
