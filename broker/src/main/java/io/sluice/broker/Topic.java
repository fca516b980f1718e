package io.sluice.broker;

import io.sluice.transport.controller.PartitionInfo;
import io.sluice.transport.controller.TopicInfo;

import io.sluice.engine.LogConfig;
import io.sluice.engine.PartitionLog;

/**
 * A topic as the broker serves it: its runtime id, its partition logs and its configuration. Immutable; owned by
 * the broker agent.
 */
final class Topic
{
    final String name;
    final int id;
    final PartitionLog[] partitions;
    final LogConfig config;
    final boolean internal;
    /** In a cluster: the controller's record of the topic; null on a single broker. */
    final TopicInfo info;
    /**
     * In a cluster: the controller's record of each partition (leader, replicas, ISR), by partition; null on a single
     * broker. {@link #partitions} holds a log only for the partitions this broker has a replica of.
     */
    final PartitionInfo[] clusterPartitions;
    /** Fewest in-sync replicas an {@code acks=all} produce needs: the topic's {@code min.insync.replicas}, or 1. */
    final int minInsyncReplicas;

    Topic(final String name, final int id, final PartitionLog[] partitions, final LogConfig config)
    {
        this(name, id, partitions, config, null);
    }

    Topic(final String name, final int id, final PartitionLog[] partitions, final LogConfig config,
        final TopicInfo info)
    {
        this.name = name;
        this.id = id;
        this.partitions = partitions;
        this.config = config;
        this.internal = name.startsWith(TopicRegistry.INTERNAL_PREFIX);
        this.info = info;
        this.clusterPartitions = null == info ? null : new PartitionInfo[partitions.length];
        // The controller validated it when the topic was created.
        this.minInsyncReplicas = null == info ? 1 :
            Integer.parseInt(info.configs().getOrDefault(TopicInfo.MIN_INSYNC_REPLICAS, "1"));
    }
}
