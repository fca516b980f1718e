package io.sluice.transport.controller;

/**
 * A deleted topic: brokers drop its partitions and their logs.
 *
 * @param topicId the topic that is gone.
 */
public record TopicRemoved(long topicId) implements MetadataRecord
{
}
