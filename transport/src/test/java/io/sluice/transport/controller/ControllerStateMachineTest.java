package io.sluice.transport.controller;

import io.sluice.codecs.controller.ControllerError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controller's state machine driven command by command: broker registration and fencing, topic creation with
 * its replica placement and validation, deletion, clean, unclean and preferred leader elections, ISR changes and
 * the epochs that fence stale ones, record versions, and that two machines fed the same commands, or a machine
 * restored from a snapshot, produce the same records.
 */
class ControllerStateMachineTest
{
    private static final String HOST = "localhost";
    private static final int NO_LEADER = PartitionInfo.NO_LEADER;

    private final ControllerStateMachine controller = new ControllerStateMachine();

    /** One drained record with its version. */
    record Change(MetadataRecord record, long version)
    {
    }

    @Test
    void shouldRegisterBrokersAsAliveAndListThemInNodeIdOrder()
    {
        register(controller, 3, 1, 2);

        assertEquals(List.of(broker(1), broker(2), broker(3)), List.copyOf(controller.metadata().brokers()));
        assertEquals(List.of(1, 2, 3), controller.metadata().aliveBrokers());
        assertEquals(Map.of(1, session(1), 2, session(2), 3, session(3)), controller.sessions());
        assertEquals(Integer.valueOf(2), controller.nodeOfSession(session(2)));
        assertNull(controller.nodeOfSession(999));
        assertEquals(
            List.of(new Change(broker(3), 1), new Change(broker(1), 2), new Change(broker(2), 3)),
            drain(controller));
        assertEquals(3, controller.metadata().version());
    }

    @Test
    void shouldRejectARegistrationWithoutAValidNodeIdHostOrPorts()
    {
        assertError(ControllerError.INVALID_REQUEST, controller.register(101, -1, 1, HOST, 9001, 10001));
        assertError(ControllerError.INVALID_REQUEST, controller.register(101, 1, 1, "", 9001, 10001));
        assertError(ControllerError.INVALID_REQUEST, controller.register(101, 1, 1, HOST, 0, 10001));
        assertError(ControllerError.INVALID_REQUEST, controller.register(101, 1, 1, HOST, 9001, 0));
        assertError(ControllerError.INVALID_REQUEST, controller.register(101, 1, 1, HOST, -1, 10001));

        assertTrue(controller.metadata().brokers().isEmpty());
        assertTrue(controller.sessions().isEmpty());
        assertNull(controller.nodeOfSession(101));
        assertEquals(List.of(), drain(controller));
        assertEquals(0, controller.metadata().version());
    }

    @Test
    void shouldRefuseASecondNodeIdOnOneSession()
    {
        register(controller, 1);
        drain(controller);

        assertError(ControllerError.INVALID_REQUEST,
            controller.register(session(1), 2, incarnation(2), HOST, clientPort(2), replicationPort(2)));

        assertNull(controller.metadata().broker(2));
        assertEquals(Integer.valueOf(1), controller.nodeOfSession(session(1)));
        assertEquals(Map.of(1, session(1)), controller.sessions());
        assertEquals(List.of(), drain(controller));

        register(controller, 1); // the same node on the same session again is fine, and no change
        assertEquals(List.of(), drain(controller));
        assertEquals(1, controller.metadata().version());
    }

    @Test
    void shouldMapTheNewSessionWithoutAChangeWhenTheSameIncarnationRegistersAgain()
    {
        register(controller, 1);
        drain(controller);

        assertOk(controller.register(201, 1, incarnation(1), HOST, clientPort(1), replicationPort(1)));

        assertEquals(List.of(), drain(controller));
        assertEquals(1, controller.metadata().version());
        assertEquals(Integer.valueOf(1), controller.nodeOfSession(201));
        assertNull(controller.nodeOfSession(session(1)));
        assertEquals(Map.of(1, 201L), controller.sessions());

        controller.sessionClosed(session(1)); // the old session no longer speaks for the broker
        assertEquals(List.of(), drain(controller));
        assertTrue(controller.metadata().isAlive(1));

        controller.sessionClosed(201);
        assertEquals(List.of(new Change(fenced(1), 2)), drain(controller));
        assertFalse(controller.metadata().isAlive(1));
    }

    @Test
    void shouldSpreadReplicasOverAliveBrokersInNodeIdOrderStartingAtTopicIdPlusPartition()
    {
        register(controller, 40, 10, 30, 20);
        drain(controller);

        assertOk(controller.createTopic("spread", 6, 3, Map.of()));

        final long topicId = controller.metadata().topic("spread").topicId();
        assertEquals(1, topicId);
        final List<List<Integer>> replicas = List.of(
            List.of(20, 30, 40), List.of(30, 40, 10), List.of(40, 10, 20),
            List.of(10, 20, 30), List.of(20, 30, 40), List.of(30, 40, 10));
        final List<Change> changes = drain(controller);
        assertEquals(7, changes.size());
        assertEquals(new Change(new TopicInfo(1, "spread", 6, 3, Map.of()), 5), changes.get(0));
        for (int p = 0; p < 6; p++)
        {
            final List<Integer> assigned = replicas.get(p);
            final PartitionInfo expected = new PartitionInfo(1, p, assigned.get(0), 0, 0, assigned, assigned);
            assertEquals(expected, controller.metadata().partition(1, p));
            assertEquals(new Change(expected, 6 + p), changes.get(1 + p));
        }

        assertOk(controller.createTopic("next", 2, 2, Map.of())); // topic id 2: starts one broker further on
        assertEquals(2, controller.metadata().topic("next").topicId());
        assertEquals(partition(2, 0, 30, 0, 0, List.of(30, 40), List.of(30, 40)),
            controller.metadata().partition(2, 0));
        assertEquals(partition(2, 1, 40, 0, 0, List.of(40, 10), List.of(40, 10)),
            controller.metadata().partition(2, 1));
    }

    @Test
    void shouldPlaceReplicasOnlyOnAliveBrokers()
    {
        register(controller, 1, 2, 3);
        controller.sessionClosed(session(2));
        drain(controller);

        assertError(ControllerError.INVALID_REPLICATION_FACTOR, controller.createTopic("t", 2, 3, Map.of()));
        assertOk(controller.createTopic("t", 2, 2, Map.of()));

        assertEquals(1, controller.metadata().topic("t").topicId()); // the refused creation took no id
        assertEquals(partition(1, 0, 3, 0, 0, List.of(3, 1), List.of(3, 1)), controller.metadata().partition(1, 0));
        assertEquals(partition(1, 1, 1, 0, 0, List.of(1, 3), List.of(1, 3)), controller.metadata().partition(1, 1));
    }

    @Test
    void shouldRefuseATopicThatExists()
    {
        register(controller, 1, 2, 3);
        assertOk(controller.createTopic("t", 1, 1, Map.of()));
        drain(controller);
        final long version = controller.metadata().version();

        assertError(ControllerError.TOPIC_EXISTS, controller.createTopic("t", 3, 2, Map.of()));

        assertEquals(1, controller.metadata().topic("t").partitionCount());
        assertEquals(1, controller.metadata().topic("t").replicationFactor());
        assertEquals(List.of(), drain(controller));
        assertEquals(version, controller.metadata().version());
    }

    @Test
    void shouldRefuseAPartitionCountOutsideOneToTheMaximum()
    {
        register(controller, 1, 2, 3);
        drain(controller);

        for (final int count : new int[]{0, -1, ControllerStateMachine.MAX_PARTITIONS + 1, Integer.MIN_VALUE})
        {
            assertError(ControllerError.INVALID_PARTITIONS, controller.createTopic("t", count, 1, Map.of()));
        }
        assertNull(controller.metadata().topic("t"));
        assertEquals(List.of(), drain(controller));
        assertEquals(3, controller.metadata().version());

        assertOk(controller.createTopic("t", ControllerStateMachine.MAX_PARTITIONS, 1, Map.of()));
        final long topicId = controller.metadata().topic("t").topicId();
        assertNotNull(controller.metadata().partition(topicId, ControllerStateMachine.MAX_PARTITIONS - 1));
        assertNull(controller.metadata().partition(topicId, ControllerStateMachine.MAX_PARTITIONS));
    }

    @Test
    void shouldRefuseAReplicationFactorOutsideOneToTheAliveBrokers()
    {
        register(controller, 1, 2, 3);
        drain(controller);

        for (final int replicationFactor : new int[]{0, -1, 4})
        {
            assertError(ControllerError.INVALID_REPLICATION_FACTOR,
                controller.createTopic("t", 1, replicationFactor, Map.of()));
        }
        assertNull(controller.metadata().topic("t"));
        assertEquals(List.of(), drain(controller));

        assertOk(controller.createTopic("t", 1, 3, Map.of()));
    }

    @Test
    void shouldRefuseInvalidMinInsyncReplicasAndUncleanElectionConfigs()
    {
        register(controller, 1, 2, 3);
        drain(controller);

        for (final String minInsync : new String[]{"two", "", "4", "0", "-1", "1.5"})
        {
            assertError(ControllerError.INVALID_CONFIG,
                controller.createTopic("t", 1, 3, Map.of(TopicInfo.MIN_INSYNC_REPLICAS, minInsync)));
        }
        for (final String unclean : new String[]{"yes", "1", ""})
        {
            assertError(ControllerError.INVALID_CONFIG,
                controller.createTopic("t", 1, 3, Map.of(TopicInfo.UNCLEAN_LEADER_ELECTION, unclean)));
        }
        assertNull(controller.metadata().topic("t"));
        assertEquals(List.of(), drain(controller));

        final Map<String, String> configs =
            Map.of(TopicInfo.MIN_INSYNC_REPLICAS, "3", TopicInfo.UNCLEAN_LEADER_ELECTION, "true");
        assertOk(controller.createTopic("t", 1, 3, configs));
        assertEquals(configs, controller.metadata().topic("t").configs());
        assertTrue(controller.metadata().topic("t").uncleanLeaderElection());

        assertOk(controller.createTopic("u", 1, 1, Map.of(TopicInfo.UNCLEAN_LEADER_ELECTION, "false")));
        assertFalse(controller.metadata().topic("u").uncleanLeaderElection());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "a/b", "../etc", "t\u00f6pic", "tab\tbed", "colon:name", "star*"})
    void shouldRefuseAnInvalidTopicName(final String name)
    {
        register(controller, 1);
        drain(controller);

        assertError(ControllerError.INVALID_REQUEST, controller.createTopic(name, 1, 1, Map.of()));

        assertTrue(controller.metadata().topics().isEmpty());
        assertEquals(List.of(), drain(controller));
    }

    @Test
    void shouldAcceptTopicNamesOfTheAllowedCharacters()
    {
        register(controller, 1);

        assertError(ControllerError.INVALID_REQUEST, controller.createTopic("x".repeat(250), 1, 1, Map.of()));
        assertOk(controller.createTopic("x".repeat(200), 1, 1, Map.of()));
        assertOk(controller.createTopic("Orders.v2_eu-west", 1, 1, Map.of()));
        assertNotNull(controller.metadata().topic("Orders.v2_eu-west"));
    }

    /**
     * Fails today: the engine's {@code LogManager} and the broker's CreateTopics both refuse "." and ".." and names
     * over 200 characters, so a topic the controller creates with such a name could not be created on any broker.
     */
    @Test
    void shouldRefuseTopicNamesTheBrokersLogManagerRefuses()
    {
        register(controller, 1);

        assertAll(
            () -> assertError(ControllerError.INVALID_REQUEST, controller.createTopic(".", 1, 1, Map.of())),
            () -> assertError(ControllerError.INVALID_REQUEST, controller.createTopic("..", 1, 1, Map.of())),
            () -> assertError(ControllerError.INVALID_REQUEST,
                controller.createTopic("x".repeat(201), 1, 1, Map.of())));
    }

    @Test
    void shouldAddAndRemoveAclsOnceEachAndKeepThemInTheImage()
    {
        final io.sluice.transport.AclEntry acl = new io.sluice.transport.AclEntry("bob",
            io.sluice.codecs.client.AclResourceType.GROUP, io.sluice.codecs.client.AclPatternType.LITERAL, "*",
            io.sluice.codecs.client.AclOperation.READ);
        register(controller, 1);
        drain(controller);
        final long version = controller.metadata().version();
        final long aclVersion = controller.metadata().aclVersion();
        assertOk(controller.alterAcl(true, acl));
        assertEquals(List.of(new Change(new AclChange(acl, true), version + 1)), drain(controller));
        assertEquals(List.of(acl), List.copyOf(controller.metadata().acls()));
        assertTrue(controller.metadata().aclVersion() > aclVersion);
        assertError(ControllerError.ACL_EXISTS, controller.alterAcl(true, acl));

        final ClusterMetadata copy = new ClusterMetadata();
        controller.metadata().forEachRecord((record) -> copy.apply(record, controller.metadata().version()));
        assertEquals(List.of(acl), List.copyOf(copy.acls()), "the image carries the ACLs");

        assertOk(controller.alterAcl(false, acl));
        assertEquals(List.of(new Change(new AclChange(acl, false), version + 2)), drain(controller));
        assertTrue(controller.metadata().acls().isEmpty());
        assertError(ControllerError.UNKNOWN_ACL, controller.alterAcl(false, acl));
    }

    @Test
    void shouldRemoveADeletedTopicByNameAndIdAndNeverReuseItsId()
    {
        register(controller, 1, 2, 3);
        assertOk(controller.createTopic("doomed", 2, 2, Map.of()));
        assertOk(controller.createTopic("kept", 1, 3, Map.of()));
        drain(controller);
        final long version = controller.metadata().version();
        final PartitionInfo doomed = controller.metadata().partition(1, 0);

        assertOk(controller.deleteTopic("doomed"));

        assertEquals(List.of(new Change(new TopicRemoved(1), version + 1)), drain(controller));
        assertNull(controller.metadata().topic("doomed"));
        assertNull(controller.metadata().topic(1L));
        assertNull(controller.metadata().partition(1, 0));
        assertNull(controller.metadata().partition(1, 1));
        assertEquals(List.of("kept"), controller.metadata().topics().stream().map(TopicInfo::name).toList());
        final List<PartitionInfo> left = new ArrayList<>();
        controller.metadata().forEachPartition(left::add);
        assertEquals(List.of(controller.metadata().partition(2, 0)), left);

        assertError(ControllerError.UNKNOWN_TOPIC, controller.deleteTopic("doomed"));
        assertError(ControllerError.UNKNOWN_TOPIC, controller.deleteTopic("never"));
        assertError(ControllerError.UNKNOWN_TOPIC, controller.alterPartition(
            doomed.leader(), 1, 0, doomed.leaderEpoch(), doomed.partitionEpoch(), doomed.isr()));
        assertEquals(List.of(), drain(controller));

        assertOk(controller.createTopic("doomed", 1, 1, Map.of()));
        assertEquals(3, controller.metadata().topic("doomed").topicId());
    }

    @Test
    void shouldFenceABrokerWhoseSessionClosedAndMoveItsLeadershipsAndIsrMemberships()
    {
        register(controller, 1, 2, 3);
        assertOk(controller.createTopic("t", 3, 3, Map.of())); // [2, 3, 1], [3, 1, 2], [1, 2, 3]
        drain(controller);
        assertEquals(7, controller.metadata().version());

        controller.sessionClosed(session(2));

        final PartitionInfo led = partition(1, 0, 3, 1, 1, List.of(2, 3, 1), List.of(3, 1));
        final PartitionInfo middle = partition(1, 1, 3, 0, 1, List.of(3, 1, 2), List.of(3, 1));
        final PartitionInfo last = partition(1, 2, 1, 0, 1, List.of(1, 2, 3), List.of(1, 3));
        assertEquals(
            List.of(new Change(fenced(2), 8), new Change(led, 9), new Change(middle, 10), new Change(last, 11)),
            drain(controller));
        assertEquals(led, controller.metadata().partition(1, 0));
        assertEquals(middle, controller.metadata().partition(1, 1));
        assertEquals(last, controller.metadata().partition(1, 2));
        assertFalse(controller.metadata().broker(2).alive());
        assertEquals(List.of(1, 3), controller.metadata().aliveBrokers());
        assertNull(controller.nodeOfSession(session(2)));
        assertEquals(Map.of(1, session(1), 3, session(3)), controller.sessions());

        controller.sessionClosed(999);
        controller.sessionClosed(session(2));
        assertEquals(List.of(), drain(controller));
        assertEquals(11, controller.metadata().version());
    }

    @Test
    void shouldElectTheFirstAliveInSyncReplicaAndNotAnAliveOutOfSyncOne()
    {
        register(controller, 1, 2, 3);
        assertOk(controller.createTopic("t", 1, 3, Map.of())); // [2, 3, 1]
        assertOk(controller.alterPartition(2, 1, 0, 0, 0, List.of(2, 1)));
        drain(controller);

        controller.sessionClosed(session(2));

        final PartitionInfo expected = partition(1, 0, 1, 1, 2, List.of(2, 3, 1), List.of(1));
        assertEquals(List.of(new Change(fenced(2), 7), new Change(expected, 8)), drain(controller));
        assertEquals(expected, controller.metadata().partition(1, 0));
    }

    @Test
    void shouldLeaveAPartitionLeaderlessKeepingItsLastInSyncReplicaWhenAllAreGone()
    {
        loseBothOfTwoBrokers(Map.of());

        assertEquals(partition(1, 0, NO_LEADER, 1, 2, List.of(2, 1), List.of(2)),
            controller.metadata().partition(1, 0));
        assertEquals(List.of(), controller.metadata().aliveBrokers());
    }

    @Test
    void shouldElectTheLastInSyncReplicaAgainWhenItReturns()
    {
        loseBothOfTwoBrokers(Map.of());

        assertOk(controller.register(202, 2, incarnation(2), HOST, clientPort(2), replicationPort(2)));

        final PartitionInfo expected = partition(1, 0, 2, 2, 3, List.of(2, 1), List.of(2));
        assertEquals(List.of(new Change(broker(2), 9), new Change(expected, 10)), drain(controller));
        assertEquals(expected, controller.metadata().partition(1, 0));
    }

    @Test
    void shouldNotElectAnOutOfSyncReplicaWhenUncleanElectionIsOff()
    {
        loseBothOfTwoBrokers(Map.of(TopicInfo.UNCLEAN_LEADER_ELECTION, "false"));
        final PartitionInfo leaderless = controller.metadata().partition(1, 0);

        assertOk(controller.register(201, 1, incarnation(1), HOST, clientPort(1), replicationPort(1)));

        assertEquals(List.of(new Change(broker(1), 9)), drain(controller));
        assertEquals(leaderless, controller.metadata().partition(1, 0));
        controller.electPreferredLeaders();
        assertEquals(List.of(), drain(controller));

        assertOk(controller.register(202, 2, incarnation(2), HOST, clientPort(2), replicationPort(2)));
        assertEquals(partition(1, 0, 2, 2, 3, List.of(2, 1), List.of(2)), controller.metadata().partition(1, 0));
    }

    @Test
    void shouldElectAnOutOfSyncReplicaWithOnlyItselfInSyncWhenUncleanElectionIsOn()
    {
        loseBothOfTwoBrokers(Map.of(TopicInfo.UNCLEAN_LEADER_ELECTION, "true"));

        assertOk(controller.register(201, 1, incarnation(1), HOST, clientPort(1), replicationPort(1)));

        final PartitionInfo expected = partition(1, 0, 1, 2, 3, List.of(2, 1), List.of(1));
        assertEquals(List.of(new Change(broker(1), 9), new Change(expected, 10)), drain(controller));
        assertEquals(expected, controller.metadata().partition(1, 0));

        assertOk(controller.register(202, 2, incarnation(2), HOST, clientPort(2), replicationPort(2)));
        assertEquals(List.of(new Change(broker(2), 11)), drain(controller)); // out of sync now: no leadership
        assertEquals(expected, controller.metadata().partition(1, 0));
    }

    @Test
    void shouldFenceANewIncarnationOfAnAliveBrokerBeforeItIsAliveAgain()
    {
        register(controller, 1, 2, 3);
        assertOk(controller.createTopic("t", 3, 3, Map.of())); // [2, 3, 1], [3, 1, 2], [1, 2, 3]
        assertOk(controller.createTopic("solo", 3, 1, Map.of())); // [3], [1], [2]
        drain(controller);
        assertEquals(11, controller.metadata().version());

        assertOk(controller.register(202, 2, 2002, HOST, clientPort(2), replicationPort(2)));

        final BrokerInfo restarted = new BrokerInfo(2, 2002, true, HOST, clientPort(2), replicationPort(2));
        assertEquals(List.of(
            new Change(fenced(2), 12),
            new Change(partition(1, 0, 3, 1, 1, List.of(2, 3, 1), List.of(3, 1)), 13),
            new Change(partition(1, 1, 3, 0, 1, List.of(3, 1, 2), List.of(3, 1)), 14),
            new Change(partition(1, 2, 1, 0, 1, List.of(1, 2, 3), List.of(1, 3)), 15),
            new Change(partition(2, 2, NO_LEADER, 1, 1, List.of(2), List.of(2)), 16),
            new Change(restarted, 17),
            new Change(partition(2, 2, 2, 2, 2, List.of(2), List.of(2)), 18)), drain(controller));
        assertEquals(restarted, controller.metadata().broker(2));
        assertEquals(List.of(3, 1), controller.metadata().partition(1, 1).isr());
        assertEquals(Map.of(1, session(1), 2, 202L, 3, session(3)), controller.sessions());
        assertNull(controller.nodeOfSession(session(2)));

        controller.sessionClosed(session(2)); // the old incarnation's session
        assertEquals(List.of(), drain(controller));
        assertTrue(controller.metadata().isAlive(2));
    }

    @Test
    void shouldShrinkAndExpandTheIsrInReplicaOrderBumpingOnlyThePartitionEpoch()
    {
        register(controller, 1, 2, 3, 4);
        assertOk(controller.createTopic("t", 1, 3, Map.of())); // [2, 3, 4]
        drain(controller);

        assertOk(controller.alterPartition(2, 1, 0, 0, 0, List.of(2, 4)));
        final PartitionInfo shrunk = partition(1, 0, 2, 0, 1, List.of(2, 3, 4), List.of(2, 4));
        assertEquals(List.of(new Change(shrunk, 7)), drain(controller));
        assertEquals(shrunk, controller.metadata().partition(1, 0));

        assertOk(controller.alterPartition(2, 1, 0, 0, 1, List.of(4, 3, 2)));
        final PartitionInfo expanded = partition(1, 0, 2, 0, 2, List.of(2, 3, 4), List.of(2, 3, 4));
        assertEquals(List.of(new Change(expanded, 8)), drain(controller));
        assertEquals(expanded, controller.metadata().partition(1, 0));

        assertOk(controller.alterPartition(2, 1, 0, 0, 2, List.of(3, 2, 4))); // the same ISR in another order
        assertEquals(List.of(), drain(controller));
        assertEquals(expanded, controller.metadata().partition(1, 0));
        assertEquals(8, controller.metadata().version());
    }

    @Test
    void shouldRefuseAnIsrChangeThatIsStaleMisdirectedOrIneligible()
    {
        register(controller, 1, 2, 3, 4);
        assertOk(controller.createTopic("t", 1, 3, Map.of())); // [2, 3, 4]
        assertOk(controller.alterPartition(2, 1, 0, 0, 0, List.of(2, 3))); // partition epoch 1
        drain(controller);
        controller.sessionClosed(session(4)); // out of the ISR already: only fenced
        assertEquals(List.of(new Change(fenced(4), 8)), drain(controller));
        final PartitionInfo before = controller.metadata().partition(1, 0);
        assertEquals(partition(1, 0, 2, 0, 1, List.of(2, 3, 4), List.of(2, 3)), before);

        assertError(ControllerError.UNKNOWN_TOPIC, controller.alterPartition(2, 99, 0, 0, 1, List.of(2, 3)));
        assertError(ControllerError.UNKNOWN_TOPIC, controller.alterPartition(2, 1, 1, 0, 1, List.of(2, 3)));
        assertError(ControllerError.UNKNOWN_TOPIC, controller.alterPartition(2, 1, -1, 0, 1, List.of(2, 3)));
        assertError(ControllerError.STALE_BROKER, controller.alterPartition(4, 1, 0, 0, 1, List.of(2, 3)));
        assertError(ControllerError.STALE_BROKER, controller.alterPartition(9, 1, 0, 0, 1, List.of(2, 3)));
        assertError(ControllerError.NOT_LEADER, controller.alterPartition(3, 1, 0, 0, 1, List.of(2, 3)));
        assertError(ControllerError.NOT_LEADER, controller.alterPartition(1, 1, 0, 0, 1, List.of(2, 3)));
        assertError(ControllerError.FENCED_LEADER_EPOCH, controller.alterPartition(2, 1, 0, 1, 1, List.of(2)));
        assertError(ControllerError.FENCED_LEADER_EPOCH, controller.alterPartition(2, 1, 0, -1, 1, List.of(2)));
        assertError(ControllerError.INVALID_PARTITION_EPOCH, controller.alterPartition(2, 1, 0, 0, 0, List.of(2)));
        assertError(ControllerError.INVALID_PARTITION_EPOCH, controller.alterPartition(2, 1, 0, 0, 2, List.of(2)));
        assertError(ControllerError.INVALID_REQUEST, controller.alterPartition(2, 1, 0, 0, 1, List.of(3)));
        assertError(ControllerError.INVALID_REQUEST, controller.alterPartition(2, 1, 0, 0, 1, List.of()));
        assertError(ControllerError.INELIGIBLE_REPLICA, controller.alterPartition(2, 1, 0, 0, 1, List.of(2, 1)));
        assertError(ControllerError.INELIGIBLE_REPLICA, controller.alterPartition(2, 1, 0, 0, 1, List.of(2, 2, 3)));
        assertError(ControllerError.INELIGIBLE_REPLICA, controller.alterPartition(2, 1, 0, 0, 1, List.of(2, 3, 4)));

        assertEquals(before, controller.metadata().partition(1, 0));
        assertEquals(List.of(), drain(controller));
        assertEquals(8, controller.metadata().version());
    }

    @Test
    void shouldFenceAnIsrChangeBasedOnAnOlderLeadership()
    {
        register(controller, 1, 2, 3);
        assertOk(controller.createTopic("t", 1, 3, Map.of())); // [2, 3, 1]
        controller.sessionClosed(session(2)); // leader 3, leader epoch 1, partition epoch 1
        assertOk(controller.register(202, 2, incarnation(2), HOST, clientPort(2), replicationPort(2)));
        drain(controller);

        assertError(ControllerError.NOT_LEADER, controller.alterPartition(2, 1, 0, 0, 0, List.of(2, 3, 1)));
        assertError(ControllerError.FENCED_LEADER_EPOCH, controller.alterPartition(3, 1, 0, 0, 1, List.of(3, 1)));
        assertError(ControllerError.INVALID_PARTITION_EPOCH,
            controller.alterPartition(3, 1, 0, 1, 0, List.of(3, 1, 2)));
        assertEquals(List.of(), drain(controller));

        assertOk(controller.alterPartition(3, 1, 0, 1, 1, List.of(3, 1, 2)));
        assertEquals(partition(1, 0, 3, 1, 2, List.of(2, 3, 1), List.of(2, 3, 1)),
            controller.metadata().partition(1, 0));
    }

    @Test
    void shouldReturnLeadershipToThePreferredLeaderOnlyOnceItIsBackInSync()
    {
        register(controller, 1, 2, 3);
        assertOk(controller.createTopic("t", 1, 3, Map.of())); // [2, 3, 1]
        controller.sessionClosed(session(2));
        assertOk(controller.register(202, 2, incarnation(2), HOST, clientPort(2), replicationPort(2)));
        drain(controller);
        final PartitionInfo failedOver = partition(1, 0, 3, 1, 1, List.of(2, 3, 1), List.of(3, 1));
        assertEquals(failedOver, controller.metadata().partition(1, 0));

        controller.electPreferredLeaders(); // alive but not in sync: stays a follower
        assertEquals(List.of(), drain(controller));
        assertEquals(failedOver, controller.metadata().partition(1, 0));

        assertOk(controller.alterPartition(3, 1, 0, 1, 1, List.of(3, 1, 2)));
        drain(controller);
        final long version = controller.metadata().version();
        controller.electPreferredLeaders();

        final PartitionInfo preferred = partition(1, 0, 2, 2, 3, List.of(2, 3, 1), List.of(2, 3, 1));
        assertEquals(List.of(new Change(preferred, version + 1)), drain(controller));
        assertEquals(preferred, controller.metadata().partition(1, 0));

        controller.electPreferredLeaders();
        assertEquals(List.of(), drain(controller));
    }

    @Test
    void shouldHandOutConsecutiveVersionsEndingAtTheMetadataVersion()
    {
        register(controller, 1, 2, 3);
        assertOk(controller.createTopic("a", 4, 2, Map.of()));
        controller.sessionClosed(session(1));

        final List<Change> first = drain(controller);
        assertEquals(List.of(), drain(controller));
        assertTrue(first.size() > 8);
        assertConsecutive(1, first);
        assertEquals(first.get(first.size() - 1).version(), controller.metadata().version());

        assertOk(controller.register(201, 1, incarnation(1), HOST, clientPort(1), replicationPort(1)));
        assertOk(controller.deleteTopic("a"));

        final List<Change> second = drain(controller);
        assertEquals(2, second.size());
        assertConsecutive(first.size() + 1, second);
        assertEquals(second.get(1).version(), controller.metadata().version());
        assertEquals(List.of(), drain(controller));
    }

    @Test
    void shouldProduceTheSameRecordsOnEveryMachineFedTheSameCommands()
    {
        final ControllerStateMachine one = new ControllerStateMachine();
        final ControllerStateMachine other = new ControllerStateMachine();

        script(one);
        script(other);

        final List<Change> changes = drain(one);
        assertTrue(changes.size() > 40, "changes " + changes.size());
        assertEquals(changes, drain(other));
        assertEquals(one.metadata().toString(), other.metadata().toString());
        assertEquals(one.metadata().nextTopicId(), other.metadata().nextTopicId());
        assertEquals(one.sessions(), other.sessions());
    }

    @Test
    void shouldContinueFromARestoredSnapshotAsTheOriginalDoes()
    {
        final ControllerStateMachine original = new ControllerStateMachine();
        register(original, 1, 2, 3, 4);
        assertOk(original.createTopic("orders", 4, 3, Map.of(TopicInfo.MIN_INSYNC_REPLICAS, "2")));
        assertOk(original.createTopic("solo", 4, 1, Map.of()));
        assertOk(original.createTopic("dropped", 2, 2, Map.of()));
        original.sessionClosed(session(4)); // solo's partition on 4 is left leaderless
        assertOk(original.register(303, 3, incarnation(3), HOST, clientPort(3), replicationPort(3)));
        assertOk(original.deleteTopic("dropped")); // the highest topic id is gone
        drain(original);

        final ControllerStateMachine restored = new ControllerStateMachine();
        restored.restoreImage(original.metadata().version(), original.metadata().nextTopicId());
        final long version = original.metadata().version();
        original.metadata().forEachRecord(record -> restored.restore(record, version));
        original.sessions().forEach(restored::restoreSession);

        assertEquals(original.metadata().toString(), restored.metadata().toString());
        assertEquals(original.metadata().nextTopicId(), restored.metadata().nextTopicId());
        assertEquals(original.sessions(), restored.sessions());
        assertEquals(Integer.valueOf(3), restored.nodeOfSession(303));
        assertEquals(List.of(), drain(restored));

        for (final ControllerStateMachine machine : List.of(original, restored))
        {
            machine.sessionClosed(session(3)); // no longer the broker's session: nothing
            machine.sessionClosed(session(1));
            assertOk(machine.register(404, 4, incarnation(4), HOST, clientPort(4), replicationPort(4)));
            assertOk(machine.register(202, 2, 2002, HOST, clientPort(2), replicationPort(2)));
            assertOk(machine.createTopic("fresh", 2, 2, Map.of()));
            expandIsrs(machine);
            machine.electPreferredLeaders();
        }

        final List<Change> expected = drain(original);
        final List<Change> changes = drain(restored);
        assertEquals(expected, changes);
        assertEquals(new Change(fenced(1), version + 1), changes.get(0));
        assertEquals(4, restored.metadata().topic("fresh").topicId());
        assertEquals(original.metadata().toString(), restored.metadata().toString());
        assertEquals(original.sessions(), restored.sessions());
    }

    private void loseBothOfTwoBrokers(final Map<String, String> configs)
    {
        register(controller, 1, 2);
        assertOk(controller.createTopic("t", 1, 2, configs)); // [2, 1]
        controller.sessionClosed(session(1)); // the follower first
        assertEquals(partition(1, 0, 2, 0, 1, List.of(2, 1), List.of(2)), controller.metadata().partition(1, 0));
        controller.sessionClosed(session(2)); // then the last in-sync replica
        drain(controller);
        assertEquals(8, controller.metadata().version());
    }

    private static void script(final ControllerStateMachine machine)
    {
        final Map<String, String> configs = new HashMap<>();
        configs.put("retention.ms", "60000");
        configs.put(TopicInfo.MIN_INSYNC_REPLICAS, "2");
        configs.put(TopicInfo.UNCLEAN_LEADER_ELECTION, "false");
        register(machine, 3, 1, 4, 2);
        assertOk(machine.createTopic("orders", 8, 3, configs));
        assertOk(machine.createTopic("clicks", 5, 2, Map.of(TopicInfo.UNCLEAN_LEADER_ELECTION, "true")));
        assertError(ControllerError.INVALID_REQUEST, machine.createTopic("bad name", 1, 1, Map.of()));
        machine.sessionClosed(session(2));
        machine.sessionClosed(session(3));
        assertOk(machine.register(302, 2, incarnation(2), HOST, clientPort(2), replicationPort(2)));
        expandIsrs(machine);
        machine.electPreferredLeaders();
        assertOk(machine.register(401, 1, 5001, HOST, clientPort(1), replicationPort(1)));
        assertOk(machine.deleteTopic("clicks"));
        machine.sessionClosed(session(4));
        assertOk(machine.createTopic("late", 3, 2, Map.of()));
        assertOk(machine.register(303, 3, incarnation(3), HOST, clientPort(3), replicationPort(3)));
        expandIsrs(machine);
        machine.electPreferredLeaders();
    }

    /**
     * Every led partition's leader takes each alive replica back into its ISR.
     */
    private static void expandIsrs(final ControllerStateMachine machine)
    {
        final List<PartitionInfo> partitions = new ArrayList<>();
        machine.metadata().forEachPartition(partitions::add);
        for (final PartitionInfo partition : partitions)
        {
            if (NO_LEADER != partition.leader())
            {
                final List<Integer> isr = new ArrayList<>();
                for (final int replica : partition.replicas())
                {
                    if (partition.isr().contains(replica) || machine.metadata().isAlive(replica))
                    {
                        isr.add(replica);
                    }
                }
                assertOk(machine.alterPartition(partition.leader(), partition.topicId(), partition.partition(),
                    partition.leaderEpoch(), partition.partitionEpoch(), isr));
            }
        }
    }

    private static void register(final ControllerStateMachine machine, final int... nodeIds)
    {
        for (final int nodeId : nodeIds)
        {
            assertOk(machine.register(
                session(nodeId), nodeId, incarnation(nodeId), HOST, clientPort(nodeId), replicationPort(nodeId)));
        }
    }

    private static List<Change> drain(final ControllerStateMachine machine)
    {
        final List<Change> changes = new ArrayList<>();
        machine.drainChanges((record, version) -> changes.add(new Change(record, version)));
        return changes;
    }

    private static void assertConsecutive(final long firstVersion, final List<Change> changes)
    {
        for (int i = 0; i < changes.size(); i++)
        {
            assertEquals(firstVersion + i, changes.get(i).version(), changes.get(i).toString());
        }
    }

    private static void assertOk(final ControllerStateMachine.Result result)
    {
        assertEquals(ControllerError.NONE, result.error(), result.message());
        assertTrue(result.isOk());
    }

    private static void assertError(final ControllerError expected, final ControllerStateMachine.Result result)
    {
        assertEquals(expected, result.error(), result.message());
        assertFalse(result.isOk());
        assertFalse(result.message().isEmpty());
    }

    private static PartitionInfo partition(
        final long topicId,
        final int partition,
        final int leader,
        final int leaderEpoch,
        final int partitionEpoch,
        final List<Integer> replicas,
        final List<Integer> isr)
    {
        return new PartitionInfo(topicId, partition, leader, leaderEpoch, partitionEpoch, replicas, isr);
    }

    private static BrokerInfo broker(final int nodeId)
    {
        return new BrokerInfo(nodeId, incarnation(nodeId), true, HOST, clientPort(nodeId), replicationPort(nodeId));
    }

    private static BrokerInfo fenced(final int nodeId)
    {
        return new BrokerInfo(nodeId, incarnation(nodeId), false, HOST, clientPort(nodeId), replicationPort(nodeId));
    }

    private static long session(final int nodeId)
    {
        return 100 + nodeId;
    }

    private static long incarnation(final int nodeId)
    {
        return 1000 + nodeId;
    }

    private static int clientPort(final int nodeId)
    {
        return 9000 + nodeId;
    }

    private static int replicationPort(final int nodeId)
    {
        return 10_000 + nodeId;
    }
}
