package io.sluice.client;

import io.sluice.transport.GroupDescription;
import io.sluice.transport.GroupListing;
import io.sluice.transport.TopicDescription;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;

/**
 * Topic and group operations. Each {@code Mono} does its work when subscribed to, on the client's I/O thread, and
 * fails with a {@link SluiceException} naming what the broker refused.
 */
public interface SluiceAdmin
{
    /**
     * @param topic             name.
     * @param partitions        at least 1.
     * @param replicationFactor replicas per partition.
     * @param configs           overrides of the broker's defaults, such as {@code retention.ms}.
     * @return the new topic's id.
     */
    Mono<Integer> createTopic(String topic, int partitions, int replicationFactor, Map<String, String> configs);

    /**
     * @param topic to delete.
     * @return completes when deleted.
     */
    Mono<Void> deleteTopic(String topic);

    /**
     * @return every topic, without configuration.
     */
    Mono<List<TopicDescription>> listTopics();

    /**
     * @param topic to describe.
     * @return its partitions and configuration.
     */
    Mono<TopicDescription> describeTopic(String topic);

    /**
     * @param partition   of a topic.
     * @param timestampMs epoch milliseconds.
     * @return the first offset whose record timestamp is at or after {@code timestampMs}, or -1 if none is.
     */
    Mono<Long> offsetForTimestamp(TopicPartition partition, long timestampMs);

    /**
     * @param groupId   the group.
     * @param partition of a topic.
     * @return the group's committed offset for the partition, or -1 if none.
     */
    Mono<Long> committedOffset(String groupId, TopicPartition partition);

    /**
     * @param groupId   the group.
     * @param partition of a topic.
     * @param offset    the next offset the group reads.
     * @return completes when stored.
     */
    Mono<Void> commitOffset(String groupId, TopicPartition partition, long offset);

    /**
     * @return every consumer group the broker knows, those with members and those with only committed offsets,
     * sorted by name.
     */
    Mono<List<GroupListing>> listGroups();

    /**
     * @param groupId the group.
     * @return its state, members and their assignments, and per partition the committed offset, the end offset and
     * the lag; fails with a {@link SluiceException} of kind {@link SluiceException.Kind#INVALID_REQUEST} and code
     * {@code UNKNOWN_GROUP} for a group with neither members nor committed offsets ({@code INVALID_GROUP} for a bad
     * name).
     */
    Mono<GroupDescription> describeGroup(String groupId);
}
