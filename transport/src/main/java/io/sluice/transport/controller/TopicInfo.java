package io.sluice.transport.controller;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A topic as the controller created it.
 *
 * @param topicId           assigned by the controller, never reused.
 * @param name              the topic's name.
 * @param partitionCount    number of partitions.
 * @param replicationFactor replicas per partition.
 * @param configs           per-topic configuration, sorted by key.
 */
public record TopicInfo(long topicId, String name, int partitionCount, int replicationFactor,
    Map<String, String> configs) implements MetadataRecord
{
    /** Topic config: elect a replica outside the ISR when no in-sync replica is left (loses records). */
    public static final String UNCLEAN_LEADER_ELECTION = "unclean.leader.election.enable";
    /** Topic config: fewest in-sync replicas an {@code acks=all} produce needs. */
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    public TopicInfo
    {
        Objects.requireNonNull(name, "name");
        configs = java.util.Collections.unmodifiableMap(new TreeMap<>(configs));
    }

    /**
     * @return whether this topic allows unclean leader election.
     */
    public boolean uncleanLeaderElection()
    {
        return Boolean.parseBoolean(configs.getOrDefault(UNCLEAN_LEADER_ELECTION, "false"));
    }
}
