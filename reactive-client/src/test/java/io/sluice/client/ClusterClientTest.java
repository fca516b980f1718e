package io.sluice.client;

import io.sluice.broker.SluiceBroker;
import io.sluice.transport.GroupDescription;
import io.sluice.transport.TopicDescription;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The reactive client against three in-process brokers of one cluster: it bootstraps from the list, sends each
 * partition's records to its leader and reads from it, and follows a leader change with nothing acknowledged lost
 * and nothing duplicated.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterClientTest
{
    private static final String TOPIC = "payments";
    private static final int PARTITIONS = 2;
    private static final int RECORDS = 2_000;

    @TempDir
    File directory;

    private final SluiceBroker[] brokers = new SluiceBroker[3];
    private SluiceClient client;

    @AfterEach
    void after()
    {
        CloseHelper.quietClose(client);
        CloseHelper.quietCloseAll(brokers);
    }

    @Test
    void shouldFollowTheLeaderAcrossAStoppedLeaderWithNothingLostOrDuplicated() throws InterruptedException
    {
        final String[] cluster = TestBroker.loopbackCluster(3);
        for (int i = 0; i < 3; i++)
        {
            brokers[i] = SluiceBroker.launch(
                TestBroker.clusterContext(new File(directory, "broker-" + i), i, cluster[0]));
        }
        client = SluiceClient.create(TestBroker.clusterClientOptions(cluster[1]));
        final int leader = createTopic();
        produceAndReadAcross(() ->
        {
            brokers[leader].close();
            brokers[leader] = null;
        }, () -> { });
    }

    /**
     * A group reads with commits; the broker coordinating groups (the leader of the replicated offsets topic) stops.
     * The member finds the new coordinator, joins again and goes on from the committed offsets, and a later member
     * of the group starts where the group committed, at a coordinator that took the offsets over.
     */
    @Test
    void shouldGoOnFromTheCommittedOffsetsWhenTheGroupCoordinatorStops()
    {
        final String[] cluster = TestBroker.loopbackCluster(3);
        for (int i = 0; i < 3; i++)
        {
            brokers[i] = SluiceBroker.launch(
                TestBroker.clusterContext(new File(directory, "broker-" + i), i, cluster[0]));
        }
        client = SluiceClient.create(TestBroker.clusterClientOptions(cluster[1]));
        createTopic();
        final SluiceProducer<String, String> producer = client.producer(
            ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()).withAcks(Acks.ALL));
        send(producer, 0, 1_000);

        final Set<String> read = ConcurrentHashMap.newKeySet();
        final AtomicLong readCount = new AtomicLong();
        final Disposable member = client.consumer(groupReader()).receiveAutoAck()
            .subscribe((record) ->
            {
                read.add(record.value());
                readCount.incrementAndGet();
            });
        await(() -> "the group to read and commit the first 1,000 (read " + readCount.get() + "; " + groupState() +
            ")", () -> committed() == 1_000);

        final int coordinator = client.admin().describeTopic("__consumer_offsets").block(Duration.ofSeconds(15))
            .partitions().get(0).leader();
        brokers[coordinator].close();
        brokers[coordinator] = null;
        send(producer, 1_000, 2_000);
        await("the member to read the next 1,000 through the new coordinator", () -> read.size() == 2_000);
        await(() -> "the group to commit them at the new coordinator (read " + read.size() + "; " + groupState() +
            ")", () -> committed() == 2_000);
        assertNotEquals(coordinator, client.admin().describeTopic("__consumer_offsets")
            .block(Duration.ofSeconds(15)).partitions().get(0).leader());
        member.dispose();

        final List<String> later = new CopyOnWriteArrayList<>();
        final Disposable next = client.consumer(groupReader()).receiveAutoAck().subscribe((r) -> later.add(r.value()));
        try
        {
            send(producer, 2_000, 2_010);
            await("the later member to read the 10 new records", () -> later.size() >= 10);
            assertEquals(10, later.size(), "it started at the committed offsets: " + later);
        }
        finally
        {
            next.dispose();
        }
    }

    private static ConsumerOptions<String, String> groupReader()
    {
        return ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
            .withTopics(TOPIC)
            .withGroupId("auditors")
            .withOffsetReset(OffsetReset.EARLIEST)
            .withCommitInterval(Duration.ofMillis(50));
    }

    private static void send(final SluiceProducer<String, String> producer, final int from, final int to)
    {
        producer.send(Flux.range(from, to - from).map((i) -> new ProducerRecord<>(TOPIC, i % PARTITIONS, null,
                "k" + i, "v" + i, i)))
            .doOnNext((result) -> assertNull(result.exception()))
            .blockLast(Duration.ofSeconds(60));
    }

    /**
     * @return the group as its coordinator describes it, for a failure message.
     */
    private String groupState()
    {
        try
        {
            return String.valueOf(client.admin().describeGroup("auditors").block(Duration.ofSeconds(15)));
        }
        catch (final RuntimeException ex)
        {
            return "describeGroup failed: " + ex;
        }
    }

    /**
     * @return the group's committed offsets summed over the partitions, -1 while the coordinator cannot say.
     */
    private long committed()
    {
        try
        {
            return client.admin().describeGroup("auditors").block(Duration.ofSeconds(15)).offsets().stream()
                .mapToLong(GroupDescription.PartitionOffset::committedOffset).sum();
        }
        catch (final SluiceException ex)
        {
            return -1;
        }
    }

    /**
     * Brokers in child JVMs: the leader of partition 0 is killed with SIGKILL a quarter of the way through, and
     * restarted on the same data three quarters of the way through; it catches up and rejoins every ISR.
     */
    @Test
    void shouldLoseNothingAcknowledgedWhenTheLeaderIsKilledAndRejoinTheIsrAfterARestart() throws Exception
    {
        final String[] cluster = TestBroker.loopbackCluster(3);
        final TestBrokerProcess[] processes = new TestBrokerProcess[3];
        try
        {
            for (int i = 0; i < 3; i++)
            {
                processes[i] = TestBrokerProcess.startClusterMember(
                    new File(directory, "broker-" + i), i, cluster[0], directory);
            }
            client = SluiceClient.create(TestBroker.clusterClientOptions(cluster[1]));
            final int leader = createTopic();
            produceAndReadAcross(() ->
            {
                try
                {
                    processes[leader].kill();
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, () ->
            {
                try
                {
                    processes[leader] = TestBrokerProcess.startClusterMember(
                        new File(directory, "broker-" + leader), leader, cluster[0], directory);
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            await("broker " + leader + " to catch up and rejoin every ISR", () ->
                client.admin().describeTopic(TOPIC).block(Duration.ofSeconds(15)).partitions().stream()
                    .allMatch((p) -> p.isr().contains(leader)));
        }
        finally
        {
            CloseHelper.quietClose(client);
            client = null;
            for (final TestBrokerProcess process : processes)
            {
                if (null != process)
                {
                    process.close();
                }
            }
        }
    }

    /**
     * @return the leader of partition 0, once every partition has a leader and a full ISR.
     */
    private int createTopic()
    {
        await("the quorum to create the topic", () ->
        {
            try
            {
                client.admin().createTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2"))
                    .block(Duration.ofSeconds(15));
                return true;
            }
            catch (final SluiceException ex)
            {
                return false;
            }
        });
        await("every partition to have a leader and a full ISR", () ->
        {
            final TopicDescription description = client.admin().describeTopic(TOPIC).block(Duration.ofSeconds(15));
            return description.partitions().stream().allMatch((p) -> p.leader() >= 0 && p.isr().size() == 3);
        });
        return client.admin().describeTopic(TOPIC).block(Duration.ofSeconds(15)).partitions().get(0).leader();
    }

    /**
     * Send {@link #RECORDS} records with {@code acks=all} and idempotence, round robin over the partitions, while a
     * reader from the beginning runs; {@code atQuarter} runs once a quarter are acknowledged, {@code atThreeQuarters}
     * at three quarters. Every record must be acknowledged once, at consecutive offsets per partition, and read
     * once, in order.
     */
    private void produceAndReadAcross(final Runnable atQuarter, final Runnable atThreeQuarters)
        throws InterruptedException
    {
        final ConcurrentLinkedQueue<ConsumerRecord<String, String>> received = new ConcurrentLinkedQueue<>();
        final Disposable reader = client.consumer(
            ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
                .withAssignment(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1))
                .withOffsetReset(OffsetReset.EARLIEST))
            .receiveAutoAck()
            .subscribe(received::add);

        final SluiceProducer<String, String> producer = client.producer(
            ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer())
                .withAcks(Acks.ALL)
                .withMaxInFlight(64));
        final CountDownLatch quarter = new CountDownLatch(RECORDS / 4);
        final CountDownLatch threeQuarters = new CountDownLatch(RECORDS * 3 / 4);
        final List<SendResult<Integer>> results = new ArrayList<>();
        final Thread events = new Thread(() ->
        {
            try
            {
                quarter.await();
                atQuarter.run();
                threeQuarters.await();
                atThreeQuarters.run();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "test-cluster-events");
        events.start();
        try
        {
            producer.send(Flux.range(0, RECORDS)
                    .map((i) -> new ProducerRecord<>(TOPIC, i % PARTITIONS, null, "k" + i, "v" + i, i))
                    .delayElements(Duration.ofMillis(1)))
                .doOnNext((result) ->
                {
                    results.add(result);
                    quarter.countDown();
                    threeQuarters.countDown();
                })
                .blockLast(Duration.ofSeconds(120));
        }
        catch (final RuntimeException | Error ex)
        {
            events.interrupt();
            throw ex;
        }
        finally
        {
            events.join();
        }

        assertEquals(RECORDS, results.size());
        final Map<Integer, List<Long>> offsets = new HashMap<>();
        for (final SendResult<Integer> result : results)
        {
            assertNull(result.exception());
            assertEquals(result.correlationMetadata() % PARTITIONS, result.partition());
            offsets.computeIfAbsent(result.partition(), (p) -> new ArrayList<>()).add(result.offset());
        }
        for (final List<Long> partitionOffsets : offsets.values())
        {
            for (int i = 0; i < partitionOffsets.size(); i++)
            {
                // Sent in order, acknowledged in order, each record once: offsets 0, 1, 2, ... with no hole.
                assertEquals(i, partitionOffsets.get(i), "offsets " + partitionOffsets);
            }
        }

        await("the reader to have every record", () -> received.size() >= RECORDS);
        reader.dispose();
        assertEquals(RECORDS, received.size(), "no record read twice");
        final int[] next = new int[PARTITIONS];
        for (final ConsumerRecord<String, String> record : received)
        {
            final int partition = record.partition();
            assertEquals(next[partition], record.offset());
            assertEquals("v" + (next[partition] * PARTITIONS + partition), record.value());
            next[partition]++;
        }
    }

    private static void await(final String what, final BooleanSupplier condition)
    {
        await(() -> what, condition);
    }

    /**
     * @param what said on a time-out, worked out then (so that it can describe the state that did not come).
     */
    private static void await(final java.util.function.Supplier<String> what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("not within 60 s: " + what.get());
            }
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }
}
