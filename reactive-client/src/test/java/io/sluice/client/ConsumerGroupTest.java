package io.sluice.client;

import io.sluice.broker.SluiceBroker;
import io.sluice.client.internal.DefaultSluiceClient;
import io.sluice.codecs.client.GroupState;
import io.sluice.transport.GroupDescription;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Consumers of one group joining and leaving while a producer runs: the group coordinator moves partitions between
 * them, and every record is processed, by one member only, in offset order per partition.
 */
class ConsumerGroupTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String TOPIC = "work";
    private static final int PARTITIONS = 6;

    @TempDir
    File dataDirectory;

    private SluiceBroker broker;
    private SluiceClient client;
    private Scheduler processing;
    private final List<Disposable> running = new ArrayList<>();

    /** Per partition, the offsets processed, in the order they were processed, whoever processed them. */
    private final Map<Integer, List<Long>> processed = new ConcurrentHashMap<>();
    private final Map<String, Set<Integer>> partitionsByMember = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> error = new AtomicReference<>();

    @BeforeEach
    void launch()
    {
        broker = TestBroker.launch(dataDirectory);
        client = SluiceClient.create(TestBroker.options(broker));
        processing = Schedulers.newBoundedElastic(4, 1024, "processing");
        client.admin().createTopic(TOPIC, PARTITIONS, 1, Map.of()).block(TIMEOUT);
    }

    @AfterEach
    void close()
    {
        running.forEach(Disposable::dispose);
        processing.dispose();
        CloseHelper.closeAll(client, broker);
    }

    @ParameterizedTest
    @EnumSource(Assignor.class)
    void shouldProcessEveryRecordOnceInOrderWhileMembersJoinAndLeave(final Assignor assignor)
    {
        final int count = 3000;
        final List<SendResult<Integer>> sent = new CopyOnWriteArrayList<>();
        running.add(client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.range(0, count)
                .delayElements(Duration.ofMillis(1))
                .map((i) -> ProducerRecord.of(TOPIC, "key-" + i, "value-" + i, i)))
            .subscribe(sent::add, error::set));

        final Disposable first = member("first", assignor);
        await(() -> sent.size() >= 600 && processedCount() >= 300, () -> "first member processing");
        final Disposable second = member("second", assignor);
        await(() -> sent.size() >= 1200 && partitionsByMember.containsKey("second"), () -> "second member reading");
        final Disposable third = member("third", assignor);
        await(() -> sent.size() >= 1800 && partitionsByMember.containsKey("third"), () -> "third member reading");
        // Three members share the six partitions two each, once the group is stable.
        await(() -> sharedTwoEach(client.admin().describeGroup("workers").block(TIMEOUT)),
            () -> "three members with two partitions each: " + client.admin().describeGroup("workers").block(TIMEOUT));
        first.dispose(); // leaves: its partitions go to the others
        await(() -> sent.size() >= 2400, () -> "sending on");
        second.dispose();
        await(() -> sent.size() == count, () -> "every record acknowledged by the broker: " + sent.size());
        await(() -> processedCount() >= count, () -> "every record processed: " + processedCount() + " of " + count);

        assertNull(error.get(), () -> "failed: " + error.get());
        assertTrue(sent.stream().allMatch(SendResult::isSuccess));
        final Map<Integer, Long> endOffsets = sent.stream()
            .collect(Collectors.groupingBy(SendResult::partition, Collectors.counting()));
        for (final Map.Entry<Integer, Long> end : endOffsets.entrySet())
        {
            // Offsets 0, 1, 2, ... once each and in order: no record twice, none skipped, no two members at once.
            assertEquals(LongStream.range(0, end.getValue()).boxed().collect(Collectors.toList()),
                processed.get(end.getKey()), "partition " + end.getKey() + " with " + assignor);
        }

        // The last member's commits reach the end of every partition.
        for (int partition = 0; partition < PARTITIONS; partition++)
        {
            final TopicPartition tp = new TopicPartition(TOPIC, partition);
            final long end = endOffsets.getOrDefault(partition, 0L);
            await(() -> client.admin().committedOffset("workers", tp).block(TIMEOUT) == end,
                () -> tp + " committed to " + end);
        }
        third.dispose();
    }

    /**
     * A member whose subscriber never acknowledges: when a partition moves away, the member waits the revoke timeout
     * for acknowledgements that never come, abandons the records, and rejoins; the partition's new owner reads them
     * again from the last commit (nothing was committed, so from offset 0), and the stalled member gets no record of
     * that partition after the hand-over.
     */
    @Test
    void shouldAbandonUnacknowledgedRecordsAtTheRevokeTimeoutSoTheNextOwnerReadsThemAgain()
    {
        final String topic = "stalled";
        final int perPartition = 50;
        client.admin().createTopic(topic, 2, 1, Map.of()).block(TIMEOUT);
        client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.range(0, 2 * perPartition)
                .map((i) -> new ProducerRecord<String, String, Void>(topic, i % 2, null, null, "value-" + i, null)))
            .blockLast(TIMEOUT);

        final List<ConsumerRecord<String, String>> stalledRecords = new CopyOnWriteArrayList<>();
        final List<Long> stalledReceivedAtNs = new CopyOnWriteArrayList<>();
        running.add(client.consumer(groupConsumer(topic))
            .receive()
            .subscribe((record) ->
            {
                stalledReceivedAtNs.add(System.nanoTime());
                stalledRecords.add(record); // never acknowledged
            }, error::set));
        await(() -> stalledRecords.size() == 2 * perPartition, () -> "the stalled member has every record");

        final List<ConsumerRecord<String, String>> nextRecords = new CopyOnWriteArrayList<>();
        final List<Long> nextReceivedAtNs = new CopyOnWriteArrayList<>();
        running.add(client.consumer(groupConsumer(topic))
            .receive()
            .subscribe((record) ->
            {
                nextReceivedAtNs.add(System.nanoTime());
                nextRecords.add(record);
                record.acknowledge();
            }, error::set));
        await(() -> nextRecords.size() == perPartition, () -> "the next member read a whole partition: " +
            nextRecords.size());

        final int moved = nextRecords.get(0).partition();
        assertEquals(LongStream.range(0, perPartition).boxed().collect(Collectors.toList()),
            nextRecords.stream().map(ConsumerRecord::offset).collect(Collectors.toList()),
            "the moved partition read again from offset 0, in order");
        assertTrue(nextRecords.stream().allMatch((r) -> r.partition() == moved));
        final long handOverNs = nextReceivedAtNs.get(0);
        for (int i = 0; i < stalledRecords.size(); i++)
        {
            if (stalledRecords.get(i).partition() == moved)
            {
                assertTrue(stalledReceivedAtNs.get(i) - handOverNs < 0,
                    "no record of the moved partition reaches the stalled member after the hand-over");
            }
        }
        final TopicPartition movedPartition = new TopicPartition(topic, moved);
        await(() -> client.admin().committedOffset("stallers", movedPartition).block(TIMEOUT) == perPartition,
            () -> "the next member committed the moved partition");
        final GroupDescription group = client.admin().describeGroup("stallers").block(TIMEOUT);
        assertEquals(2, group.members().size(), group::toString);
        assertNull(error.get(), () -> "failed: " + error.get());
    }

    private static ConsumerOptions<String, String> groupConsumer(final String topic)
    {
        return ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
            .withGroupId("stallers")
            .withTopics(topic)
            .withOffsetReset(OffsetReset.EARLIEST)
            .withHeartbeatInterval(Duration.ofMillis(100))
            .withRevokeTimeout(Duration.ofMillis(500))
            .withCommitInterval(Duration.ofMillis(50));
    }

    /**
     * A join answer lost on the way (here dropped by the client) must not leave the member waiting for ever: past the
     * rebalance timeout plus the session timeout it reconnects and joins again.
     */
    @Test
    void shouldJoinAgainWhenAJoinAnswerNeverArrives()
    {
        ((DefaultSluiceClient)client).dropJoinAnswers(1);
        final List<String> read = new CopyOnWriteArrayList<>();
        running.add(client.consumer(ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
                .withGroupId("patient")
                .withTopics(TOPIC)
                .withOffsetReset(OffsetReset.EARLIEST)
                .withHeartbeatInterval(Duration.ofMillis(100))
                .withSessionTimeout(Duration.ofMillis(1_000))
                .withRevokeTimeout(Duration.ofMillis(500))
                .withRebalanceTimeout(Duration.ofMillis(1_000)))
            .receiveAutoAck()
            .subscribe((record) -> read.add(record.value()), error::set));
        client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.range(0, 10).map((i) -> new ProducerRecord<>(TOPIC, i % PARTITIONS, null, "k" + i, "v" + i, i)))
            .blockLast(TIMEOUT);
        await(() -> read.size() == 10, () -> "the member joined again and read everything: " + read);
        assertNull(error.get(), () -> "failed: " + error.get());
    }

    @Test
    void shouldFailTheReceiveWhenTheGroupUsesAnotherAssignor()
    {
        running.add(member("range", Assignor.RANGE));
        await(() -> memberCount() == 1, () -> "first member joined");
        final AtomicReference<Throwable> refused = new AtomicReference<>();
        running.add(client.consumer(ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
                .withGroupId("workers").withTopics(TOPIC).withAssignor(Assignor.COOPERATIVE_STICKY))
            .receive().subscribe((record) -> { }, refused::set));
        await(() -> null != refused.get(), () -> "the second member is refused");
        assertTrue(refused.get() instanceof SluiceException, refused.get().toString());
        assertEquals(io.sluice.codecs.client.ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
            ((SluiceException)refused.get()).errorCode());
    }

    private Disposable member(final String name, final Assignor assignor)
    {
        final Disposable disposable = client.consumer(
                ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
                    .withGroupId("workers")
                    .withTopics(TOPIC)
                    .withAssignor(assignor)
                    .withOffsetReset(OffsetReset.EARLIEST)
                    .withHeartbeatInterval(Duration.ofMillis(100))
                    .withCommitInterval(Duration.ofMillis(100)))
            .receive()
            .publishOn(processing, 16) // records in flight off the I/O thread when partitions move
            .subscribe((record) ->
            {
                processed.computeIfAbsent(record.partition(), (p) -> new CopyOnWriteArrayList<>()).add(record.offset());
                partitionsByMember.computeIfAbsent(name, (n) -> ConcurrentHashMap.newKeySet()).add(record.partition());
                record.acknowledge();
            }, error::set);
        return disposable;
    }

    private static boolean sharedTwoEach(final GroupDescription group)
    {
        return group.state() == GroupState.STABLE && group.members().size() == 3 &&
            group.members().stream().allMatch((m) -> m.assignment().size() == 2) &&
            group.members().stream().flatMap((m) -> m.assignment().stream()).distinct().count() == PARTITIONS;
    }

    private int memberCount()
    {
        try
        {
            return client.admin().describeGroup("workers").block(TIMEOUT).members().size();
        }
        catch (final SluiceException ex)
        {
            return 0; // no such group yet
        }
    }

    private int processedCount()
    {
        return processed.values().stream().mapToInt(List::size).sum();
    }

    private void await(final BooleanSupplier condition, final Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (null != error.get())
            {
                fail(what.get() + ": " + error.get(), error.get());
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what.get());
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
