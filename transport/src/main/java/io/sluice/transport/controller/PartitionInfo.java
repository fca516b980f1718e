package io.sluice.transport.controller;

import java.util.List;

/**
 * One partition's replicas, its leader and in-sync replicas. The leader epoch changes with every new leader; the
 * partition epoch with every change at all, and an {@code AlterPartition} must name the one it is based on.
 *
 * @param topicId        the topic.
 * @param partition      the partition.
 * @param leader         node id of the leader, or {@link #NO_LEADER}.
 * @param leaderEpoch    epoch of the current leader.
 * @param partitionEpoch epoch of this state.
 * @param replicas       the assigned replicas; the first is the preferred leader.
 * @param isr            the in-sync replicas, leader included.
 */
public record PartitionInfo(long topicId, int partition, int leader, int leaderEpoch, int partitionEpoch,
    List<Integer> replicas, List<Integer> isr) implements MetadataRecord
{
    /** The leader of a partition none of whose eligible replicas is alive. */
    public static final int NO_LEADER = -1;

    public PartitionInfo
    {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    /**
     * @return the preferred leader: the first assigned replica.
     */
    public int preferredLeader()
    {
        return replicas.get(0);
    }

    PartitionInfo withLeader(final int leader, final List<Integer> isr)
    {
        return new PartitionInfo(topicId, partition, leader, leaderEpoch + 1, partitionEpoch + 1, replicas, isr);
    }

    PartitionInfo withIsr(final List<Integer> isr)
    {
        return new PartitionInfo(topicId, partition, leader, leaderEpoch, partitionEpoch + 1, replicas, isr);
    }
}
