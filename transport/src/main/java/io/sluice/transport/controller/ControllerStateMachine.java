package io.sluice.transport.controller;

import io.sluice.codecs.controller.ControllerError;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ObjLongConsumer;
import java.util.regex.Pattern;

/**
 * The controller's logic, free of Aeron: what a registration, a closed session, a topic creation or deletion, an ISR
 * change or a preferred-leader check does to the cluster metadata. Every member of the controller quorum applies
 * the same commands in the same (Raft log) order to its own instance, so everything here is deterministic: no
 * clock, no randomness, ordered iteration.
 * <p>
 * Elections follow Kafka's KRaft controller: a failed broker's partitions go to the first replica, in assignment
 * order, that is in the ISR and alive; with none, the partition has no leader and keeps its last in-sync replica
 * in the ISR, so the broker that holds every acknowledged record is the one elected when it returns; unless the
 * topic allows unclean election, when any alive replica may lead (and records may be lost). Each new leader bumps
 * the leader epoch; every change bumps the partition epoch.
 */
public final class ControllerStateMachine
{
    /** Most partitions a topic may have. */
    public static final int MAX_PARTITIONS = 10_000;
    /** The engine's rule for topic names (its log directories are named after them). */
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    /**
     * What a command came to.
     *
     * @param error   {@link ControllerError#NONE} on success.
     * @param message why not, for an error.
     */
    public record Result(ControllerError error, String message)
    {
        static final Result OK = new Result(ControllerError.NONE, "");

        static Result error(final ControllerError error, final String message)
        {
            return new Result(error, message);
        }

        /**
         * @return whether the command succeeded.
         */
        public boolean isOk()
        {
            return error == ControllerError.NONE;
        }
    }

    private record Change(MetadataRecord record, long version)
    {
    }

    private final ClusterMetadata metadata = new ClusterMetadata();
    private final TreeMap<Integer, Long> sessionByNode = new TreeMap<>();
    private final Map<Long, Integer> nodeBySession = new HashMap<>();
    private final List<Change> changes = new ArrayList<>();

    /**
     * @return the authoritative image; read only.
     */
    public ClusterMetadata metadata()
    {
        return metadata;
    }

    /**
     * Hand over the records made since the last drain, each with its version, and forget them.
     *
     * @param consumer of each record and version, in order.
     */
    public void drainChanges(final ObjLongConsumer<MetadataRecord> consumer)
    {
        for (final Change change : changes)
        {
            consumer.accept(change.record(), change.version());
        }
        changes.clear();
    }

    /**
     * @return the sessions of registered brokers by node id, for a snapshot.
     */
    public Map<Integer, Long> sessions()
    {
        return java.util.Collections.unmodifiableMap(sessionByNode);
    }

    /**
     * @param sessionId a cluster session.
     * @return the node that registered on it, or null.
     */
    public Integer nodeOfSession(final long sessionId)
    {
        return nodeBySession.get(sessionId);
    }

    /**
     * Load one record of a snapshot.
     *
     * @param record  to load.
     * @param version its version.
     */
    public void restore(final MetadataRecord record, final long version)
    {
        metadata.apply(record, version);
    }

    /**
     * Load a snapshot's image header.
     *
     * @param version     of the image.
     * @param nextTopicId of the image.
     */
    public void restoreImage(final long version, final long nextTopicId)
    {
        metadata.reset(version, nextTopicId);
        sessionByNode.clear();
        nodeBySession.clear();
        changes.clear();
    }

    /**
     * Load a snapshot's broker session.
     *
     * @param nodeId    the broker.
     * @param sessionId its session.
     */
    public void restoreSession(final int nodeId, final long sessionId)
    {
        sessionByNode.put(nodeId, sessionId);
        nodeBySession.put(sessionId, nodeId);
    }

    /**
     * A broker registers on a session. A new incarnation of an alive broker (a restart the session timeout did not
     * see) is fenced first, so its partitions get leaders that did not lose their memory; then it is alive, and
     * leaderless partitions it can lead are given to it.
     *
     * @param sessionId       the cluster session it registered on.
     * @param nodeId          its node id.
     * @param incarnationId   its process incarnation.
     * @param host            where it listens.
     * @param clientPort      its client port.
     * @param replicationPort its replication port.
     * @return the outcome.
     */
    public Result register(
        final long sessionId,
        final int nodeId,
        final long incarnationId,
        final String host,
        final int clientPort,
        final int replicationPort)
    {
        if (nodeId < 0 || host.isEmpty() || clientPort <= 0 || replicationPort <= 0)
        {
            return Result.error(ControllerError.INVALID_REQUEST, "a broker needs a node id >= 0, a host and ports");
        }
        final Integer nodeOnSession = nodeBySession.get(sessionId);
        if (null != nodeOnSession && nodeOnSession != nodeId)
        {
            return Result.error(ControllerError.INVALID_REQUEST,
                "session " + sessionId + " already registered node " + nodeOnSession);
        }
        final BrokerInfo existing = metadata.broker(nodeId);
        if (null != existing && existing.alive() && existing.incarnationId() != incarnationId)
        {
            fence(nodeId);
        }
        final Long previousSession = sessionByNode.put(nodeId, sessionId);
        if (null != previousSession)
        {
            nodeBySession.remove(previousSession);
        }
        nodeBySession.put(sessionId, nodeId);

        final BrokerInfo broker = new BrokerInfo(nodeId, incarnationId, true, host, clientPort, replicationPort);
        if (!broker.equals(metadata.broker(nodeId)))
        {
            emit(broker);
        }
        for (final PartitionInfo partition : partitions())
        {
            if (partition.leader() == PartitionInfo.NO_LEADER && partition.replicas().contains(nodeId))
            {
                electLeader(partition, -1);
            }
        }
        return Result.OK;
    }

    /**
     * A cluster session closed or timed out: if a broker held it, that broker is fenced.
     *
     * @param sessionId of the session.
     */
    public void sessionClosed(final long sessionId)
    {
        final Integer nodeId = nodeBySession.remove(sessionId);
        if (null != nodeId)
        {
            sessionByNode.remove(nodeId);
            fence(nodeId);
        }
    }

    /**
     * Create a topic, its replicas spread over the alive brokers: partition p's replicas are consecutive brokers in
     * node id order starting at broker {@code (topicId + p) mod n}, so leaders (the first replica) rotate too.
     *
     * @param name              of the topic.
     * @param partitionCount    partitions.
     * @param replicationFactor replicas of each.
     * @param configs           per-topic configuration.
     * @return the outcome.
     */
    public Result createTopic(
        final String name, final int partitionCount, final int replicationFactor, final Map<String, String> configs)
    {
        if (!TOPIC_NAME.matcher(name).matches() || ".".equals(name) || "..".equals(name))
        {
            return Result.error(ControllerError.INVALID_REQUEST,
                "invalid topic name '" + name + "': use 1 to 200 of a-z A-Z 0-9 . _ -, not . or ..");
        }
        if (null != metadata.topic(name))
        {
            return Result.error(ControllerError.TOPIC_EXISTS, "topic '" + name + "' already exists");
        }
        if (partitionCount < 1 || partitionCount > MAX_PARTITIONS)
        {
            return Result.error(ControllerError.INVALID_PARTITIONS,
                "partitions must be 1.." + MAX_PARTITIONS + ", got " + partitionCount);
        }
        final List<Integer> alive = metadata.aliveBrokers();
        if (replicationFactor < 1 || replicationFactor > alive.size())
        {
            return Result.error(ControllerError.INVALID_REPLICATION_FACTOR, "replication factor " +
                replicationFactor + " with " + alive.size() + " alive broker(s)");
        }
        final String configError = validate(configs, replicationFactor);
        if (null != configError)
        {
            return Result.error(ControllerError.INVALID_CONFIG, configError);
        }

        final long topicId = metadata.nextTopicId();
        emit(new TopicInfo(topicId, name, partitionCount, replicationFactor, configs));
        final int n = alive.size();
        for (int p = 0; p < partitionCount; p++)
        {
            final List<Integer> replicas = new ArrayList<>(replicationFactor);
            final int start = (int)((topicId + p) % n);
            for (int i = 0; i < replicationFactor; i++)
            {
                replicas.add(alive.get((start + i) % n));
            }
            emit(new PartitionInfo(topicId, p, replicas.get(0), 0, 0, replicas, replicas));
        }
        return Result.OK;
    }

    private static String validate(final Map<String, String> configs, final int replicationFactor)
    {
        final String minInsync = configs.get(TopicInfo.MIN_INSYNC_REPLICAS);
        if (null != minInsync)
        {
            try
            {
                final int value = Integer.parseInt(minInsync);
                if (value < 1 || value > replicationFactor)
                {
                    return TopicInfo.MIN_INSYNC_REPLICAS + " must be 1.." + replicationFactor + ", got " + value;
                }
            }
            catch (final NumberFormatException ex)
            {
                return TopicInfo.MIN_INSYNC_REPLICAS + " must be a number, got '" + minInsync + "'";
            }
        }
        final String unclean = configs.get(TopicInfo.UNCLEAN_LEADER_ELECTION);
        if (null != unclean && !"true".equalsIgnoreCase(unclean) && !"false".equalsIgnoreCase(unclean))
        {
            return TopicInfo.UNCLEAN_LEADER_ELECTION + " must be true or false, got '" + unclean + "'";
        }
        return null;
    }

    /**
     * Delete a topic.
     *
     * @param name of the topic.
     * @return the outcome.
     */
    public Result deleteTopic(final String name)
    {
        final TopicInfo topic = metadata.topic(name);
        if (null == topic)
        {
            return Result.error(ControllerError.UNKNOWN_TOPIC, "no topic '" + name + "'");
        }
        emit(new TopicRemoved(topic.topicId()));
        return Result.OK;
    }

    /**
     * Add or remove an ACL.
     *
     * @param add true to add.
     * @param acl the ACL.
     * @return the outcome: {@code ACL_EXISTS} for one added twice, {@code UNKNOWN_ACL} for one not there.
     */
    public Result alterAcl(final boolean add, final io.sluice.transport.AclEntry acl)
    {
        if (add == metadata.hasAcl(acl))
        {
            return add ? Result.error(ControllerError.ACL_EXISTS, "the ACL exists already: " + acl) :
                Result.error(ControllerError.UNKNOWN_ACL, "no such ACL: " + acl);
        }
        emit(new AclChange(acl, add));
        return Result.OK;
    }

    /**
     * A partition's leader changes its ISR, based on the partition epoch it names.
     *
     * @param nodeId         the broker asking: must be the leader, alive.
     * @param topicId        the topic.
     * @param partition      the partition.
     * @param leaderEpoch    the leader's epoch.
     * @param partitionEpoch the epoch of the state the change is based on.
     * @param isr            the new ISR: replicas, alive unless already in the ISR, the leader among them.
     * @return the outcome.
     */
    public Result alterPartition(
        final int nodeId,
        final long topicId,
        final int partition,
        final int leaderEpoch,
        final int partitionEpoch,
        final List<Integer> isr)
    {
        final PartitionInfo current = metadata.partition(topicId, partition);
        if (null == current)
        {
            return Result.error(ControllerError.UNKNOWN_TOPIC, "no partition " + topicId + "-" + partition);
        }
        if (!metadata.isAlive(nodeId))
        {
            return Result.error(ControllerError.STALE_BROKER, "broker " + nodeId + " is fenced");
        }
        if (current.leader() != nodeId)
        {
            return Result.error(ControllerError.NOT_LEADER, "broker " + nodeId + " does not lead " + current);
        }
        if (current.leaderEpoch() != leaderEpoch)
        {
            return Result.error(ControllerError.FENCED_LEADER_EPOCH,
                "leader epoch " + leaderEpoch + ", current " + current.leaderEpoch());
        }
        if (current.partitionEpoch() != partitionEpoch)
        {
            return Result.error(ControllerError.INVALID_PARTITION_EPOCH,
                "partition epoch " + partitionEpoch + ", current " + current.partitionEpoch());
        }
        if (!isr.contains(nodeId))
        {
            return Result.error(ControllerError.INVALID_REQUEST, "the ISR must hold its leader " + nodeId);
        }
        final List<Integer> ordered = new ArrayList<>();
        for (final int replica : current.replicas()) // replica order; duplicates and strangers drop out here
        {
            if (isr.contains(replica))
            {
                if (!current.isr().contains(replica) && !metadata.isAlive(replica))
                {
                    return Result.error(ControllerError.INELIGIBLE_REPLICA, "broker " + replica + " is fenced");
                }
                ordered.add(replica);
            }
        }
        if (ordered.size() != isr.size())
        {
            return Result.error(ControllerError.INELIGIBLE_REPLICA,
                "the ISR " + isr + " must be distinct replicas of " + current.replicas());
        }
        if (!ordered.equals(current.isr()))
        {
            emit(current.withIsr(ordered));
        }
        return Result.OK;
    }

    /**
     * Give each partition back to its preferred leader (its first replica) where that broker is alive and in sync.
     */
    public void electPreferredLeaders()
    {
        for (final PartitionInfo partition : partitions())
        {
            final int preferred = partition.preferredLeader();
            if (partition.leader() != preferred && metadata.isAlive(preferred) &&
                partition.isr().contains(preferred))
            {
                emit(partition.withLeader(preferred, partition.isr()));
            }
        }
    }

    private void fence(final int nodeId)
    {
        final BrokerInfo broker = metadata.broker(nodeId);
        if (null == broker || !broker.alive())
        {
            return;
        }
        emit(broker.withAlive(false));
        for (final PartitionInfo partition : partitions())
        {
            if (partition.leader() == nodeId)
            {
                electLeader(partition, nodeId);
            }
            else if (partition.isr().contains(nodeId) && partition.isr().size() > 1)
            {
                emit(partition.withIsr(without(partition.isr(), nodeId)));
            }
        }
    }

    /**
     * Elect a leader for a partition whose leader failed (or that has none): the first alive in-sync replica,
     * else, when the topic allows, the first alive replica (the ISR becomes just it), else none.
     */
    private void electLeader(final PartitionInfo partition, final int failed)
    {
        final List<Integer> isr = failed >= 0 && partition.isr().size() > 1 ?
            without(partition.isr(), failed) : partition.isr();
        for (final int replica : partition.replicas())
        {
            if (replica != failed && isr.contains(replica) && metadata.isAlive(replica))
            {
                emit(partition.withLeader(replica, isr));
                return;
            }
        }
        final TopicInfo topic = metadata.topic(partition.topicId());
        if (null != topic && topic.uncleanLeaderElection())
        {
            for (final int replica : partition.replicas())
            {
                if (replica != failed && metadata.isAlive(replica))
                {
                    emit(partition.withLeader(replica, List.of(replica)));
                    return;
                }
            }
        }
        if (partition.leader() != PartitionInfo.NO_LEADER)
        {
            emit(partition.withLeader(PartitionInfo.NO_LEADER, isr));
        }
    }

    private List<PartitionInfo> partitions()
    {
        final List<PartitionInfo> all = new ArrayList<>();
        metadata.forEachPartition(all::add);
        return all;
    }

    private static List<Integer> without(final List<Integer> nodes, final int nodeId)
    {
        final List<Integer> rest = new ArrayList<>(nodes);
        rest.remove(Integer.valueOf(nodeId));
        return rest;
    }

    private void emit(final MetadataRecord record)
    {
        final long version = metadata.version() + 1;
        metadata.apply(record, version);
        changes.add(new Change(record, version));
    }
}
