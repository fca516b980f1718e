package io.sluice.streams;

import io.sluice.broker.SluiceBroker;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.OffsetReset;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.client.TopicPartition;
import io.sluice.streams.internals.Checkpoint;
import io.sluice.streams.state.ReadOnlyKeyValueStore;
import io.sluice.streams.state.ReadOnlyWindowStore;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link StreamsApp} against a broker in this JVM: word count end to end, a stop and a restart restoring the counts
 * from the changelog (and a crash, without the final commit), two instances sharing and handing over the tasks,
 * the bound on records in flight, and a window store queried across the local tasks.
 */
class StreamsAppTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String LINES = "lines";
    private static final String COUNTS = "word-counts";
    private static final String STORE = "counts";
    private static final int PARTITIONS = 2;
    private static final String[] WORDS = {
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
        "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"};

    @TempDir
    File dataDirectory;

    private SluiceBroker broker;
    private SluiceClient client;
    private final List<StreamsApp> apps = new ArrayList<>();
    private final List<Disposable> running = new ArrayList<>();
    /** Per word, every count the output topic received, in order, repeats (an origin seen before) left out. */
    private final Map<String, List<Long>> outputs = new ConcurrentHashMap<>();
    private final Set<ByteBuffer> origins = ConcurrentHashMap.newKeySet();
    private final AtomicInteger repeats = new AtomicInteger();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void launch()
    {
        broker = StreamsTestBroker.launch(dataDirectory);
        client = SluiceClient.create(StreamsTestBroker.clientOptions(broker));
        client.admin().createTopic(LINES, PARTITIONS, 1, Map.of()).block(TIMEOUT);
        client.admin().createTopic(COUNTS, PARTITIONS, 1, Map.of()).block(TIMEOUT);
        running.add(client.consumer(ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.longDeserializer())
                .withTopics(COUNTS)
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
            }, errors::add));
    }

    @AfterEach
    void close()
    {
        apps.forEach(StreamsApp::close);
        running.forEach(Disposable::dispose);
        CloseHelper.closeAll(client, broker);
    }

    @Test
    void shouldCountWordsEndToEndIntoTheOutputTopicAndTheStore()
    {
        final StreamsApp app = app("wc", config("wc"));
        app.start();
        send(0, 200);

        final Map<String, Long> expected = expectedCounts(0, 200);
        await(() -> latestOutputs().equals(expected), () -> "final counts in " + COUNTS + ": " + latestOutputs());
        await(() -> storeContents(app.store(STORE)).equals(expected), () -> "the store: " + storeContents(
            app.store(STORE)));
        assertEquals(StreamsApp.State.RUNNING, app.state());
        assertEquals(Set.of(new StreamsApp.TaskId(0, 0), new StreamsApp.TaskId(0, 1), new StreamsApp.TaskId(1, 0),
            new StreamsApp.TaskId(1, 1)), app.tasks());
        assertOutputsAreThoseOfOneRun(expected);
        // The internal topics: the repartition topic and the changelog, with the sources' partitions.
        assertEquals(PARTITIONS, client.admin().describeTopic("wc-words-repartition").block(TIMEOUT)
            .partitions().size());
        assertEquals(PARTITIONS, client.admin().describeTopic("wc-counts-changelog").block(TIMEOUT)
            .partitions().size());
        // The broker's segments are smaller than the internal topics' cap: kept.
        assertEquals(String.valueOf(StreamsTestBroker.SEGMENT_BYTES), client.admin()
            .describeTopic("wc-counts-changelog").block(TIMEOUT).config().get("segment.bytes"));
    }

    /**
     * Changelog and checkpoint topics are made with segments of at most 8 MiB, whatever the sources': the broker
     * preallocates a segment and a spare per partition, and compacts only rolled segments.
     */
    @Test
    void shouldMakeInternalTopicsWithSegmentsOfAtMostEightMebibytes()
    {
        client.admin().createTopic("wide-segments", 1, 1, Map.of("segment.bytes", String.valueOf(16 << 20)))
            .block(TIMEOUT);
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("wide-segments", Consumed.with(Serde.string(), Serde.string()))
            .groupByKey()
            .count(Materialized.as("tally"));
        final StreamsApp app = new StreamsApp(builder.build(), config("capped"));
        apps.add(app);
        app.start();
        await(() -> app.state() == StreamsApp.State.RUNNING && !app.tasks().isEmpty(), () -> "running: " +
            app.state() + " " + app.tasks());

        for (final String topic : List.of("capped-tally-changelog", "capped-checkpoints"))
        {
            assertEquals(String.valueOf(8 << 20),
                client.admin().describeTopic(topic).block(TIMEOUT).config().get("segment.bytes"), topic);
        }
    }

    @Test
    void shouldRunOverAClientItIsGivenAndLeaveItOpenWhenClosed()
    {
        // The test's own client: it sends the lines and reads the counts too.
        final StreamsApp app = new StreamsApp(wordCount(), config("shared"), client);
        apps.add(app);
        app.start();
        send(0, 100);

        final Map<String, Long> expected = expectedCounts(0, 100);
        await(() -> latestOutputs().equals(expected), () -> "final counts in " + COUNTS + ": " + latestOutputs());
        assertOutputsAreThoseOfOneRun(expected);
        app.close();
        assertEquals(StreamsApp.State.NOT_RUNNING, app.state());

        // The client is still open: it sends and the topics are there.
        send(100, 110);
        assertEquals(PARTITIONS, client.admin().describeTopic("shared-counts-changelog").block(TIMEOUT)
            .partitions().size());
    }

    @Test
    void shouldRestoreTheStoreFromItsChangelogWhenRestartedAfterAStop()
    {
        final StreamsApp first = app("restart", config("restart"));
        first.start();
        send(0, 100);
        final Map<String, Long> afterFirst = expectedCounts(0, 100);
        await(() -> latestOutputs().equals(afterFirst), () -> "first batch counted: " + latestOutputs());
        first.close();
        assertEquals(StreamsApp.State.NOT_RUNNING, first.state());

        final StreamsApp second = app("restart", config("restart"));
        second.start();
        await(() -> second.tasks().size() == 2 * PARTITIONS && second.state() == StreamsApp.State.RUNNING,
            () -> "the new instance's tasks restored: " + second.tasks() + " " + second.state());
        // Restored, before any new input: the counts of the first batch.
        assertEquals(afterFirst, storeContents(second.store(STORE)));

        send(100, 200);
        final Map<String, Long> expected = expectedCounts(0, 200);
        await(() -> latestOutputs().equals(expected), () -> "both batches counted: " + latestOutputs());
        await(() -> storeContents(second.store(STORE)).equals(expected), () -> "the store");
        // Everything committed before the stop: nothing processed twice, the outputs of one uninterrupted run.
        assertOutputsAreThoseOfOneRun(expected);
        assertEquals(0, repeats.get(), "no output repeated");
    }

    /**
     * The changelog is a compacted topic: once the broker compacted it, a new instance restores the same counts from
     * each word's latest change. The store changes are logged once per word per commit, so the lines go in batches,
     * each counted before the next, with commits every 10 ms: enough changes of each word to roll the changelog's
     * segments.
     */
    @Test
    void shouldRestoreTheStoreFromACompactedChangelog()
    {
        final StreamsApp first = app("compacted", config("compacted").withCommitInterval(Duration.ofMillis(10)));
        first.start();
        final int lines = 3000;
        final int batch = 30;
        for (int from = 0; from < lines; from += batch)
        {
            final Map<String, Long> counted = expectedCounts(0, from + batch);
            send(from, from + batch);
            await(() -> latestOutputs().equals(counted), () -> "counted: " + latestOutputs());
        }
        final Map<String, Long> expected = expectedCounts(0, lines);
        first.close();

        final String changelog = "compacted-counts-changelog";
        assertEquals("compact", client.admin().describeTopic(changelog).block(TIMEOUT).config().get("cleanup.policy"));
        final long offsets = offsetsIn(changelog);
        await(() -> changesIn(changelog) < offsets, () -> "the changelog compacted: " + changesIn(changelog) +
            " of " + offsets + " changes left");

        final StreamsApp second = app("compacted", config("compacted"));
        second.start();
        await(() -> second.tasks().size() == 2 * PARTITIONS && second.state() == StreamsApp.State.RUNNING,
            () -> "restored: " + second.tasks() + " " + second.state());
        assertEquals(expected, storeContents(second.store(STORE)));
    }

    /** Offsets a changelog's partitions have given, high watermarks summed. */
    private long offsetsIn(final String changelog)
    {
        long offsets = 0;
        for (final io.sluice.transport.TopicDescription.PartitionDescription partition :
            client.admin().describeTopic(changelog).block(TIMEOUT).partitions())
        {
            offsets += partition.highWatermark();
        }
        return offsets;
    }

    /** Changes in a changelog, every partition read from its start to its high watermark. */
    private long changesIn(final String changelog)
    {
        long changes = 0;
        final io.sluice.transport.TopicDescription description = client.admin().describeTopic(changelog).block(TIMEOUT);
        for (final io.sluice.transport.TopicDescription.PartitionDescription partition : description.partitions())
        {
            final long end = partition.highWatermark();
            if (end <= partition.logStartOffset())
            {
                continue;
            }
            final io.sluice.client.TopicPartition tp = new io.sluice.client.TopicPartition(changelog, partition.partition());
            changes += client.consumer(ConsumerOptions.create(Serdes.bytesDeserializer(), Serdes.bytesDeserializer())
                    .withAssignment(tp)
                    .withSeek(tp, ConsumerOptions.BEGINNING))
                .receiveAutoAck()
                .takeUntil((record) -> record.offset() >= end - 1)
                .count()
                .block(TIMEOUT);
        }
        return changes;
    }

    /**
     * A crash before any checkpoint: the new instance restores nothing (no epoch ended, so nothing was logged), does
     * the first batch again, and counts exactly; its repeated outputs carry the origins of the first ones, so a reader
     * dropping them sees one uninterrupted run.
     */
    @Test
    void shouldCountAsOneUninterruptedRunWhenRestartedAfterACrashBeforeAnyCheckpoint()
    {
        final StreamsApp first = app("crash", config("crash").withCommitInterval(Duration.ofHours(1)));
        first.start();
        send(0, 100);
        await(() -> latestOutputs().equals(expectedCounts(0, 100)), () -> "first batch counted");
        await(() -> first.inFlightRecords() == 0, () -> "the first instance's sends acknowledged");
        first.abort();

        restartAndCountExactly("crash", 100);
        assertTrue(repeats.get() > 0, "the first batch was done again, its outputs repeated");
    }

    /**
     * A crash after a checkpoint, with changes after it: the new instance restores the checkpoint's counts, skips the
     * lines before its positions, redoes the rest, and counts exactly.
     */
    @Test
    void shouldCountAsOneUninterruptedRunWhenRestartedAfterACrashPastACheckpoint()
    {
        final StreamsApp first = app("crash2", config("crash2").withCommitInterval(Duration.ofSeconds(2)));
        first.start();
        send(0, 100);
        await(() -> latestOutputs().equals(expectedCounts(0, 100)), () -> "first batch counted");
        await(() -> committedLines("crash2") == 100, () -> "the first batch committed: " + committedLines("crash2"));
        send(100, 150);
        await(() -> latestOutputs().equals(expectedCounts(0, 150)), () -> "second batch counted");
        await(() -> first.inFlightRecords() == 0, () -> "the first instance's sends acknowledged");
        first.abort();

        restartAndCountExactly("crash2", 150);
    }

    /**
     * A crash after a round's store changes were logged and acknowledged but before its checkpoint was written: the
     * new instance finds changes of an uncommitted epoch in the changelog, rolls them back to the checkpoint's counts,
     * redoes the lines after it, and counts exactly.
     */
    @Test
    void shouldRollBackStoreChangesLoggedAfterTheCheckpointWhenRestartedAfterACrash()
    {
        final StreamsApp first = app("crash3", config("crash3"));
        first.start();
        send(0, 100);
        await(() -> latestOutputs().equals(expectedCounts(0, 100)), () -> "first batch counted");
        await(() -> committedLines("crash3") == 100, () -> "the first batch committed: " + committedLines("crash3"));
        final String changelog = "crash3-counts-changelog";
        final long logged = offsetsIn(changelog);
        first.holdCheckpoints();
        send(100, 150);
        await(() -> latestOutputs().equals(expectedCounts(0, 150)), () -> "second batch counted");
        await(() -> offsetsIn(changelog) > logged, () -> "the second batch's store changes logged");
        await(() -> first.inFlightRecords() == 0, () -> "the first instance's sends acknowledged");
        assertEquals(100, committedLines("crash3"), "nothing committed past the first checkpoint");
        first.abort();

        final StreamsApp second = restartAndCountExactly("crash3", 150);
        assertTrue(second.keysRolledBack() > 0, "the second batch's logged changes rolled back");
    }

    /**
     * A new instance after a crash: it sends the lines from {@code from} to 200, then checks the counts in the output
     * and the store are those of lines 0 to 200, and the outputs, repeats dropped by origin, those of one run.
     */
    private StreamsApp restartAndCountExactly(final String applicationId, final int from)
    {
        final StreamsApp second = app(applicationId, config(applicationId));
        second.start();
        send(from, 200);
        final Map<String, Long> expected = expectedCounts(0, 200);
        await(() -> latestOutputs().equals(expected), () -> "counts after the crash: " + latestOutputs());
        await(() -> storeContents(second.store(STORE)).equals(expected), () -> "the store: " + storeContents(
            second.store(STORE)));
        assertOutputsAreThoseOfOneRun(expected);
        return second;
    }

    /**
     * Store changes are serialized when the commit logs them, not as records are processed: a store serializer that
     * throws there fails the application (ERROR) and commits nothing, rather than stopping the commits unseen.
     */
    @Test
    void shouldFailTheApplicationWhenLoggingTheStoreChangesThrows()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        final Serde<Long> unloggable = Serde.of((topic, count) ->
        {
            throw new IllegalArgumentException("this store's values cannot be logged");
        }, Serdes.longDeserializer());
        builder.stream(LINES, Consumed.with(Serde.string(), Serde.string()))
            .groupByKey()
            .count(Materialized.<String, Long>as(STORE).withValueSerde(unloggable))
            .toStream()
            .to(COUNTS, Produced.with(Serde.string(), Serde.longs()));
        final StreamsApp app = new StreamsApp(builder.build(), config("unloggable"));
        apps.add(app);
        app.start();
        send(0, 10);
        await(() -> app.state() == StreamsApp.State.ERROR, () -> "the application failed: " + app.state());
        assertEquals(0, committedLines("unloggable"), "nothing committed");
    }

    private long committedLines(final String group)
    {
        long committed = 0;
        for (int p = 0; p < PARTITIONS; p++)
        {
            final Long offset = client.admin().committedOffset(group, new TopicPartition(LINES, p)).block(TIMEOUT);
            committed += null == offset || offset < 0 ? 0 : offset;
        }
        return committed;
    }

    @Test
    void shouldShareTasksBetweenTwoInstancesAndHandThemOverWhenOneCloses()
    {
        final StreamsApp a = app("shared", config("shared"));
        final StreamsApp b = app("shared", config("shared"));
        a.start();
        b.start();
        await(() -> a.tasks().size() == PARTITIONS && b.tasks().size() == PARTITIONS &&
                union(a.tasks(), b.tasks()).size() == 2 * PARTITIONS,
            () -> "the tasks shared: " + a.tasks() + " and " + b.tasks());

        send(0, 100);
        final Map<String, Long> firstBatch = expectedCounts(0, 100);
        await(() -> latestOutputs().equals(firstBatch), () -> "first batch counted: " + latestOutputs());
        // Each instance answers for the keys of its own partitions only; together, all of them, once.
        final Map<String, Long> inA = storeContents(a.store(STORE));
        final Map<String, Long> inB = storeContents(b.store(STORE));
        assertTrue(!inA.isEmpty() && !inB.isEmpty(), () -> inA + " / " + inB);
        assertTrue(inA.keySet().stream().noneMatch(inB::containsKey), () -> inA + " / " + inB);
        final Map<String, Long> together = new TreeMap<>(inA);
        together.putAll(inB);
        assertEquals(firstBatch, together);
        assertEquals(null, a.store(STORE).get(inB.keySet().iterator().next()), "a key of the other instance");

        a.close();
        await(() -> b.tasks().size() == 2 * PARTITIONS && b.state() == StreamsApp.State.RUNNING,
            () -> "b took every task over: " + b.tasks());
        assertEquals(firstBatch, storeContents(b.store(STORE)), "restored from the changelogs");

        send(100, 200);
        final Map<String, Long> expected = expectedCounts(0, 200);
        await(() -> latestOutputs().equals(expected), () -> "both batches counted: " + latestOutputs());
        assertEquals(expected, storeContents(b.store(STORE)));
    }

    @Test
    void shouldNeverHaveMoreRecordsInFlightThanTheLimitWhenTheSinkStalls()
    {
        final int limit = 5;
        final StreamsApp app = app("bounded", config("bounded").withMaxInFlightRecords(limit));
        app.start();
        await(() -> app.tasks().size() == 2 * PARTITIONS, () -> "tasks");
        app.pauseSends(); // the broker seems to take nothing: the sends of each record stay pending
        send(0, 200);
        await(() -> app.inFlightRecords() == limit, () -> "the limit reached: " + app.inFlightRecords());
        assertEquals(Map.of(), latestOutputs());
        app.resumeSends();

        final Map<String, Long> expected = expectedCounts(0, 200);
        await(() -> latestOutputs().equals(expected), () -> "every line counted: " + latestOutputs());
        assertEquals(limit, app.maxInFlightRecordsSeen(), "most records processed and not yet durable at once");
        assertOutputsAreThoseOfOneRun(expected);
    }

    @Test
    void shouldQueryAWindowStoreAcrossTheLocalTasks()
    {
        client.admin().createTopic("clicks", PARTITIONS, 1, Map.of()).block(TIMEOUT);
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("clicks", Consumed.with(Serde.string(), Serde.string()))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(1000), Duration.ofDays(1)))
            .count(Materialized.as("clicks-per-second"));
        final StreamsApp app = new StreamsApp(builder.build(), config("windows"));
        apps.add(app);
        app.start();
        client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.just(click("alice", 100), click("bob", 150), click("alice", 200), click("alice", 1100)))
            .blockLast(TIMEOUT);

        final ReadOnlyWindowStore<String, Long> store = app.windowStore("clicks-per-second");
        await(() -> List.of(KeyValue.pair(0L, 2L), KeyValue.pair(1000L, 1L)).equals(store.fetch("alice", 0, 5000)) &&
            Long.valueOf(1).equals(store.fetch("bob", 0)), () -> "alice's windows: " + store.fetch("alice", 0, 5000));
        assertEquals(3, store.all().size());
    }

    private static ProducerRecord<String, String, Void> click(final String user, final long timestamp)
    {
        return new ProducerRecord<>("clicks", null, timestamp, user, "page", null);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static Topology wordCount()
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(LINES, Consumed.with(Serde.string(), Serde.string()))
            .flatMapValues((line) -> Arrays.asList(line.split(" ")))
            .groupBy((key, word) -> word, Grouped.with(Serde.string(), Serde.string()).withName("words"))
            .count(Materialized.as(STORE))
            .toStream()
            .to(COUNTS, Produced.with(Serde.string(), Serde.longs()));
        return builder.build();
    }

    private StreamsConfig config(final String applicationId)
    {
        return StreamsConfig.create(applicationId, StreamsTestBroker.clientOptions(broker))
            .withCommitInterval(Duration.ofMillis(100))
            .withHeartbeatInterval(Duration.ofMillis(100));
    }

    private StreamsApp app(final String applicationId, final StreamsConfig config)
    {
        final StreamsApp app = new StreamsApp(wordCount(), config);
        apps.add(app);
        return app;
    }

    private static String line(final int i)
    {
        return WORDS[(i * 7) % WORDS.length] + " " + WORDS[(i * 3 + 1) % WORDS.length] + " " + WORDS[i % 11];
    }

    private void send(final int from, final int to)
    {
        client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.range(from, to - from).map((i) -> ProducerRecord.of(LINES, "line-" + i, line(i))))
            .blockLast(TIMEOUT);
    }

    private static Map<String, Long> expectedCounts(final int from, final int to)
    {
        final Map<String, Long> counts = new TreeMap<>();
        for (int i = from; i < to; i++)
        {
            for (final String word : line(i).split(" "))
            {
                counts.merge(word, 1L, Long::sum);
            }
        }
        return counts;
    }

    private Map<String, Long> latestOutputs()
    {
        final Map<String, Long> latest = new TreeMap<>();
        outputs.forEach((word, counts) -> latest.put(word, counts.get(counts.size() - 1)));
        return latest;
    }

    /**
     * Each word's outputs are 1, 2, ... its count: no update lost, none repeated.
     */
    private void assertOutputsAreThoseOfOneRun(final Map<String, Long> expected)
    {
        final Map<String, List<Long>> oneRun = expected.entrySet().stream().collect(Collectors.toMap(
            Map.Entry::getKey, (e) -> LongStream.rangeClosed(1, e.getValue()).boxed().toList(), (x, y) -> x,
            TreeMap::new));
        assertEquals(oneRun, new TreeMap<>(outputs));
    }

    private static Map<String, Long> storeContents(final ReadOnlyKeyValueStore<String, Long> store)
    {
        final Map<String, Long> contents = new TreeMap<>();
        store.all().forEach((entry) -> contents.put(entry.key(), entry.value()));
        return contents;
    }

    private static Set<StreamsApp.TaskId> union(final Set<StreamsApp.TaskId> a, final Set<StreamsApp.TaskId> b)
    {
        final Set<StreamsApp.TaskId> union = new HashSet<>(a);
        union.addAll(b);
        return union;
    }

    private void await(final BooleanSupplier condition, final Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (!errors.isEmpty())
            {
                fail(what.get() + ": " + errors.get(0), errors.get(0));
            }
            for (final StreamsApp app : apps)
            {
                if (app.state() == StreamsApp.State.ERROR)
                {
                    fail(what.get() + ": an application failed");
                }
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what.get());
            }
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
