package io.sluice.transport;

import java.util.List;
import java.util.Map;

/**
 * A topic as a metadata response describes it.
 *
 * @param name              of the topic.
 * @param topicId           the id produce and fetch requests use; valid while the broker runs.
 * @param replicationFactor replicas per partition.
 * @param partitions        by partition number.
 * @param config            effective configuration, empty unless asked for.
 */
public record TopicDescription(
    String name, int topicId, int replicationFactor, List<PartitionDescription> partitions, Map<String, String> config)
{
    /**
     * One partition.
     *
     * @param partition      number.
     * @param leader         broker id of the leader.
     * @param leaderEpoch    of the leader.
     * @param replicas       broker ids of the replicas.
     * @param isr            broker ids of the in-sync replicas.
     * @param logStartOffset first offset in the log.
     * @param highWatermark  offsets below it are readable.
     * @param logEndOffset   offset of the next record appended.
     * @param sizeBytes      of the partition's segments.
     */
    public record PartitionDescription(
        int partition,
        int leader,
        int leaderEpoch,
        List<Integer> replicas,
        List<Integer> isr,
        long logStartOffset,
        long highWatermark,
        long logEndOffset,
        long sizeBytes)
    {
    }
}
