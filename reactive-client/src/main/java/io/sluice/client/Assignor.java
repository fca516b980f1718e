package io.sluice.client;

/**
 * How a consumer group divides the partitions of its members' topics among them; the broker computes it. Every
 * member of a group names the same assignor.
 */
public enum Assignor
{
    /** Per topic, contiguous ranges of partitions to members sorted by id (Kafka's range). Eager: in a rebalance
     * every member gives up all its partitions before it rejoins. */
    RANGE,
    /** All partitions dealt to members in turn (Kafka's round-robin). Eager. */
    ROUND_ROBIN,
    /**
     * Balanced, and members keep what they have where balance allows (Kafka's cooperative sticky). Cooperative:
     * in a rebalance members go on reading the partitions they keep, and only partitions that move are given up.
     */
    COOPERATIVE_STICKY
}
