package io.sluice.broker;

import io.sluice.codecs.RecordBatchView;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.engine.LogReadResult;
import io.sluice.engine.PartitionLog;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import io.sluice.transport.controller.ControllerNode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Three brokers in one JVM, each a member of the controller quorum, replicating a topic with RF 3 and
 * {@code min.insync.replicas} 2 over UDP loopback.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterReplicationTest
{
    private static final String TOPIC = "orders";

    @TempDir
    File directory;

    private final SluiceBroker[] brokers = new SluiceBroker[3];
    @SuppressWarnings("unchecked")
    private final List<AutoCloseable>[] clients = new List[]{ new ArrayList<>(), new ArrayList<>(), new ArrayList<>() };
    private String cluster;

    @AfterEach
    void after()
    {
        for (int i = 0; i < 3; i++)
        {
            CloseHelper.quietCloseAll(clients[i]);
        }
        CloseHelper.quietCloseAll(brokers);
    }

    /**
     * Stop a broker, and first the test's clients on its media driver.
     */
    private void stop(final int id)
    {
        CloseHelper.closeAll(clients[id]);
        clients[id].clear();
        brokers[id].close();
        brokers[id] = null;
    }

    private SluiceBroker start(final int id)
    {
        brokers[id] = SluiceBroker.launch(TestBroker.context(new File(directory, "broker-" + id))
            .brokerId(id)
            .cluster(cluster)
            .replicationTermLength(256 * 1024)
            .replicaLagTimeMax(1500, TimeUnit.MILLISECONDS)
            .replicaHeartbeatInterval(50, TimeUnit.MILLISECONDS)
            .replicaAckTimeout(10, TimeUnit.SECONDS)
            .controllerSessionTimeout(2, TimeUnit.SECONDS));
        return brokers[id];
    }

    /**
     * Start brokers 0, 1 and 2 as one cluster on free loopback ports.
     */
    private void startThree()
    {
        final StringJoiner members = new StringJoiner(",");
        for (int i = 0; i < 3; i++)
        {
            members.add(i + "@127.0.0.1:" + ControllerNode.Ports.freeLoopbackBlock());
        }
        cluster = members.toString();
        for (int i = 0; i < 3; i++)
        {
            start(i);
        }
    }

    private TestClient client(final int id)
    {
        final ClientConnection connection = TestBroker.connect(brokers[id]);
        clients[id].add(connection);
        return new TestClient(connection);
    }

    /**
     * Create {@link #TOPIC} with RF 3 and {@code min.insync.replicas} 2, trying until the quorum takes it.
     */
    static void createTopic(final TestClient admin, final int partitions)
    {
        await("the quorum to create the topic", () ->
        {
            try
            {
                admin.connection.createTopic(TOPIC, partitions, 3, Map.of("min.insync.replicas", "2"));
                return true;
            }
            catch (final SluiceClientException ex)
            {
                return false;
            }
        });
    }

    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("not within 60 s: " + what);
            }
            sleep(20);
        }
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static TopicDescription.PartitionDescription describe(
        final TestClient client, final int partition, final Predicate<TopicDescription.PartitionDescription> until)
    {
        final TopicDescription.PartitionDescription[] found = new TopicDescription.PartitionDescription[1];
        await("partition " + partition + " to settle", () ->
        {
            try
            {
                found[0] = client.connection.describeTopic(TOPIC).partitions().get(partition);
                return until.test(found[0]);
            }
            catch (final SluiceClientException ex)
            {
                return false; // a broker that has not had the controller's metadata yet does not know the topic
            }
        });
        return found[0];
    }

    @Test
    void shouldReplicateAcksAllShrinkAndRestoreTheIsrAndFailOverWithNothingAcknowledgedLost()
    {
        startThree();

        final TestClient admin = client(0);
        createTopic(admin, 1);
        TopicDescription.PartitionDescription partition =
            describe(admin, 0, (p) -> p.leader() >= 0 && p.isr().size() == 3);
        final int leader = partition.leader();
        final int topicId = admin.connection.describeTopic(TOPIC).topicId();
        assertEquals("2", admin.connection.describeTopics(TOPIC, true).get(0).config().get("min.insync.replicas"));
        assertEquals(3, admin.connection.describeTopic(TOPIC).replicationFactor());

        // A follower refuses produce and fetch, naming the leader.
        final int follower = (leader + 1) % 3;
        final TestClient atFollower = client(follower);
        final TestClient.Ack refused = atFollower.produceAndAwait(topicId, 0, "nope");
        assertEquals(ErrorCode.NOT_LEADER, refused.errorCode());
        assertTrue(refused.message().contains("broker " + leader), refused.message());

        // acks=all: answered once every ISR member has the batch.
        final TestClient producer = client(leader);
        final List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            final int length = producer.batch("a-" + i, "b-" + i);
            final TestClient.Ack ack = producer.awaitAck(
                producer.produce(topicId, 0, Acks.ALL, producer.batchBuffer(), length));
            assertEquals(ErrorCode.NONE, ack.errorCode(), ack.message());
            assertEquals(i * 2L, ack.baseOffset());
            acknowledged.add("a-" + i);
            acknowledged.add("b-" + i);
        }
        for (int i = 0; i < 3; i++)
        {
            final PartitionLog log = brokers[i].partitionLog(TOPIC, 0);
            assertTrue(log.logEndOffset() >= 100, "broker " + i + " has every acknowledged record");
            assertEquals(acknowledged, values(log, 100));
        }

        // A follower dies: the ISR shrinks to 2 after the lag time and acks=all goes on.
        final int dead = follower;
        stop(dead);
        for (int i = 50; i < 60; i++)
        {
            final int length = producer.batch("a-" + i, "b-" + i);
            final TestClient.Ack ack = producer.awaitAck(
                producer.produce(topicId, 0, Acks.ALL, producer.batchBuffer(), length));
            assertEquals(ErrorCode.NONE, ack.errorCode(), ack.message());
            acknowledged.add("a-" + i);
            acknowledged.add("b-" + i);
        }
        partition = describe(client(leader), 0, (p) -> p.isr().size() == 2);
        assertFalse(partition.isr().contains(dead));

        // It comes back, catches up from its log end and rejoins the ISR.
        start(dead);
        partition = describe(client(leader), 0, (p) -> p.isr().size() == 3);
        final PartitionLog rejoined = brokers[dead].partitionLog(TOPIC, 0);
        await("the restarted follower to catch up", () -> rejoined.logEndOffset() == 120);
        assertEquals(acknowledged, values(rejoined, 120));

        // The leader goes: a follower from the ISR takes over with every acknowledged record, and reads go on there.
        stop(leader);
        final int survivor = (leader + 2) % 3;
        final TestClient watcher = client(survivor);
        partition = describe(watcher, 0, (p) -> p.leader() >= 0 && p.leader() != leader);
        final int newLeader = partition.leader();
        final TestClient consumer = newLeader == survivor ? watcher : client(newLeader);
        consumer.fetch(1, topicId, 0, 0, io.sluice.codecs.client.CreditMode.RECORDS, 1000);
        consumer.pollUntil(() -> consumer.received.size() >= 120);
        assertEquals(acknowledged, consumer.received.stream().map(TestClient.Received::value).toList());

        final int length = consumer.batch("after-failover");
        final TestClient.Ack ack = consumer.awaitAck(
            consumer.produce(topicId, 0, Acks.ALL, consumer.batchBuffer(), length));
        assertEquals(ErrorCode.NONE, ack.errorCode(), ack.message());
        assertEquals(120, ack.baseOffset());
    }

    /**
     * The broker whose controller member leads the quorum stops: the other two elect a new quorum leader from the
     * replicated metadata, move the partitions the stopped broker led to in-sync replicas, and take new topics; the
     * broker comes back with all of it.
     */
    @Test
    void shouldKeepTheMetadataAndElectLeadersWhenTheControllerLeaderStops()
    {
        startThree();
        final TestClient admin = client(0);
        createTopic(admin, 3);
        for (int p = 0; p < 3; p++)
        {
            describe(admin, p, (partition) -> partition.leader() >= 0 && partition.isr().size() == 3);
        }
        final int[] controllerLeader = { -1 };
        await("a controller quorum leader", () ->
        {
            for (int i = 0; i < 3; i++)
            {
                if (brokers[i].controllerRole() == io.aeron.cluster.service.Cluster.Role.LEADER)
                {
                    controllerLeader[0] = i;
                    return true;
                }
            }
            return false;
        });
        final int stopped = controllerLeader[0];
        boolean ledAPartition = false;
        for (int p = 0; p < 3; p++)
        {
            ledAPartition |= admin.connection.describeTopic(TOPIC).partitions().get(p).leader() == stopped;
        }
        assertTrue(ledAPartition, "placement spreads leaders: broker " + stopped + " leads a partition");

        stop(stopped);
        final TestClient survivor = client((stopped + 1) % 3);
        for (int p = 0; p < 3; p++)
        {
            final TopicDescription.PartitionDescription partition = describe(survivor, p,
                (d) -> d.leader() >= 0 && d.leader() != stopped && !d.isr().contains(stopped));
            assertEquals(2, partition.isr().size(), partition.toString());
        }
        await("a new controller quorum leader", () ->
        {
            for (int i = 0; i < 3; i++)
            {
                if (i != stopped && brokers[i].controllerRole() == io.aeron.cluster.service.Cluster.Role.LEADER)
                {
                    return true;
                }
            }
            return false;
        });
        await("the new quorum to create a topic", () ->
        {
            try
            {
                survivor.connection.createTopic("after", 1, 2, Map.of());
                return true;
            }
            catch (final SluiceClientException ex)
            {
                return ex.getMessage().contains("TOPIC_EXISTS"); // a retry of a create that went through
            }
        });

        start(stopped);
        final TestClient returned = client(stopped);
        describe(returned, 0, (p) -> p.isr().size() == 3);
        await("the returned broker to know the topic created while it was away", () ->
        {
            try
            {
                return returned.connection.describeTopic("after").partitions().get(0).leader() >= 0;
            }
            catch (final SluiceClientException ex)
            {
                return false;
            }
        });
    }

    @Test
    void shouldKeepCommittedOffsetsInTheReplicatedOffsetsTopicWhenTheGroupCoordinatorStops()
    {
        startThree();
        final TestClient admin = client(0);
        createTopic(admin, 3);
        final int topicId = admin.connection.describeTopic(TOPIC).topicId();
        final int coordinator = coordinator(admin, -1);
        final TopicDescription offsetsTopic = admin.connection.describeTopic(GroupOffsets.TOPIC);
        assertEquals(3, offsetsTopic.partitions().get(0).replicas().size(), offsetsTopic.toString());
        assertEquals(coordinator, offsetsTopic.partitions().get(0).leader(), "the coordinator leads the offsets");
        assertTrue(admin.connection.describeTopics(null, false).stream()
            .noneMatch((topic) -> topic.name().equals(GroupOffsets.TOPIC)), "the offsets topic is not listed");

        final TestClient elsewhere = client((coordinator + 1) % 3);
        final SluiceClientException refused = assertThrows(SluiceClientException.class,
            () -> elsewhere.connection.commitOffset("readers", topicId, 0, 5));
        assertEquals(ErrorCode.NOT_COORDINATOR, refused.errorCode());
        assertTrue(refused.getMessage().contains("broker " + coordinator + " does"), refused.getMessage());
        assertEquals(ErrorCode.NOT_COORDINATOR, assertThrows(SluiceClientException.class,
            () -> elsewhere.connection.listGroups()).errorCode());

        final TestClient atCoordinator = client(coordinator);
        for (int p = 0; p < 3; p++)
        {
            atCoordinator.connection.commitOffset("readers", topicId, p, 10 + p);
        }
        assertEquals(11, atCoordinator.connection.committedOffset("readers", topicId, 1));

        stop(coordinator);
        final int next = coordinator(elsewhere, coordinator);
        final TestClient atNext = client(next);
        for (int p = 0; p < 3; p++)
        {
            assertEquals(10 + p, atNext.connection.committedOffset("readers", topicId, p),
                "broker " + next + " took over the offsets committed at broker " + coordinator);
        }
        atNext.connection.commitOffset("readers", topicId, 0, 20);
        assertEquals(1, atNext.connection.listGroups().size());

        start(coordinator);
        final TestClient returned = client(coordinator);
        await("the returned broker to rejoin the offsets topic's ISR", () ->
        {
            try
            {
                return returned.connection.describeTopic(GroupOffsets.TOPIC).partitions().get(0).isr().size() == 3;
            }
            catch (final SluiceClientException ex)
            {
                return false;
            }
        });
        // Preferred-leader rebalancing may give the offsets back to the returned broker: whoever coordinates now
        // has the commit made while it was away.
        final int now = coordinator(returned, -1);
        assertEquals(20, client(now).connection.committedOffset("readers", topicId, 0));
        assertEquals(12, client(now).connection.committedOffset("readers", topicId, 2));
    }

    /**
     * @return the group coordinator as the client's broker names it, once it names one other than {@code not}.
     */
    private static int coordinator(final TestClient client, final int not)
    {
        final int[] found = { -1 };
        await("a group coordinator other than " + not, () ->
        {
            try
            {
                client.connection.describeTopics(null, false);
            }
            catch (final SluiceClientException ex)
            {
                return false;
            }
            found[0] = client.connection.coordinatorId();
            return found[0] >= 0 && found[0] != not;
        });
        return found[0];
    }

    @Test
    void shouldRunAOneNodeQuorumWithTheSameCode()
    {
        cluster = "0@127.0.0.1:" + ControllerNode.Ports.freeLoopbackBlock();
        start(0);
        final TestClient client = client(0);
        await("the one-node quorum to create the topic", () ->
        {
            try
            {
                client.connection.createTopic(TOPIC, 2, 1, Map.of());
                return true;
            }
            catch (final SluiceClientException ex)
            {
                return false;
            }
        });
        describe(client, 1, (p) -> p.leader() == 0 && p.isr().equals(List.of(0)));
        final int topicId = client.connection.describeTopic(TOPIC).topicId();
        final int length = client.batch("x", "y", "z");
        final TestClient.Ack ack = client.awaitAck(client.produce(topicId, 1, Acks.ALL, client.batchBuffer(), length));
        assertEquals(ErrorCode.NONE, ack.errorCode(), ack.message());
        assertEquals(0, ack.baseOffset());

        final SluiceClientException tooMany = assertThrows(SluiceClientException.class,
            () -> client.connection.createTopic("wide", 1, 2, Map.of()));
        assertTrue(tooMany.getMessage().contains("INVALID_REPLICATION_FACTOR") ||
            tooMany.getMessage().contains("replication"), tooMany.getMessage());

        // A topic wider than the logs the agent opens per duty cycle: its replicas open over several; until then a
        // produce is told LEADER_NOT_AVAILABLE, which a client retries.
        final int wide = 3 * BrokerAgent.LOG_OPENS_PER_DUTY_CYCLE + 5;
        client.connection.createTopic("wide", wide, 1, Map.of());
        final int wideId = client.connection.describeTopic("wide").topicId();
        for (final int p : new int[]{ 0, wide - 1 })
        {
            await("wide-" + p + " to take a write", () ->
            {
                final int batch = client.batch("w" + p);
                final TestClient.Ack wideAck = client.awaitAck(
                    client.produce(wideId, p, Acks.ALL, client.batchBuffer(), batch));
                assertTrue(wideAck.errorCode() == ErrorCode.NONE ||
                    wideAck.errorCode() == ErrorCode.LEADER_NOT_AVAILABLE, wideAck.toString());
                return wideAck.errorCode() == ErrorCode.NONE;
            });
        }

        // A restart keeps the metadata (the quorum's snapshot and log) and the data. The wide topic's logs are
        // removed first, as on a replacement disk: the metadata image then names more new replicas than one duty
        // cycle opens.
        stop(0);
        deleteDirectories(directory.toPath(), "wide-[0-9]+");
        start(0);
        final TestClient again = client(0);
        describe(again, 1, (p) -> p.leader() == 0 && p.highWatermark() == 3);
        again.fetch(1, topicId, 1, 0, io.sluice.codecs.client.CreditMode.RECORDS, 10);
        again.pollUntil(() -> again.received.size() == 3);
        assertEquals(List.of("x", "y", "z"), again.received.stream().map(TestClient.Received::value).toList());
        await("wide-" + (wide - 1) + " to take a write after the restart", () ->
        {
            final int batch = again.batch("after");
            final TestClient.Ack wideAck = again.awaitAck(
                again.produce(wideId, wide - 1, Acks.ALL, again.batchBuffer(), batch));
            assertTrue(wideAck.errorCode() == ErrorCode.NONE || wideAck.errorCode() == ErrorCode.UNKNOWN_TOPIC ||
                wideAck.errorCode() == ErrorCode.LEADER_NOT_AVAILABLE, wideAck.toString());
            return wideAck.errorCode() == ErrorCode.NONE;
        });
    }

    private static void deleteDirectories(final java.nio.file.Path root, final String namePattern)
    {
        try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(root))
        {
            for (final java.nio.file.Path dir : paths.filter((path) -> java.nio.file.Files.isDirectory(path) &&
                path.getFileName().toString().matches(namePattern)).toList())
            {
                org.agrona.IoUtil.delete(dir.toFile(), false);
            }
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    static List<String> values(final PartitionLog log, final long end)
    {
        final List<String> values = new ArrayList<>();
        final RecordBatchView view = new RecordBatchView();
        try (LogReadResult result = new LogReadResult())
        {
            long next = 0;
            while (next < end && log.read(next, 64 * 1024, result) == LogReadResult.OK)
            {
                final DirectBuffer buffer = result.buffer();
                for (int position = 0; position < result.length(); position += result.batchLengthAt(position))
                {
                    view.wrap(buffer, position);
                    while (view.nextRecord())
                    {
                        if (view.offset() >= next && view.offset() < end)
                        {
                            values.add(view.value().getStringWithoutLengthUtf8(0, view.value().capacity()));
                        }
                    }
                }
                next = result.nextOffset();
            }
        }
        return values;
    }
}
