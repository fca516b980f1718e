package io.sluice.broker;

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

    Topic(final String name, final int id, final PartitionLog[] partitions, final LogConfig config)
    {
        this.name = name;
        this.id = id;
        this.partitions = partitions;
        this.config = config;
        this.internal = name.startsWith(TopicRegistry.INTERNAL_PREFIX);
    }
}
